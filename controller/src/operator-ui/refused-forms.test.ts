import { describe, expect, it } from 'vitest'
import { csrfFrom } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { fieldIn, flashIn, subscriberTestKit } from './subscriber-test-kit.js'

async function setup() {
  const k = await subscriberTestKit()
  const page = `/subscribers/${k.subscriber.id}`
  /**
   * Loads `from` and posts the form named `titleId` to `action` as a browser would: its CSRF field,
   * its key when it has one (`once`), and what was typed.
   */
  async function post(
    from: string,
    titleId: string,
    action: string,
    fields: Record<string, string>,
    once = true,
  ) {
    const html = (await k.browser.get(from)).html
    const form = {
      _csrf: csrfFrom(html),
      ...(once ? { idempotencyKey: fieldIn(html, titleId, 'idempotencyKey') } : {}),
      ...fields,
    }
    return { form, reply: await k.browser.post(action, form) }
  }
  return { ...k, page, post }
}

/** The inside of the form named by the heading `titleId`. */
function formIn(html: string, titleId: string): string {
  const form = new RegExp(`<form[^>]*aria-labelledby="${titleId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1]
  if (form === undefined) throw new Error(`no form ${titleId}`)
  return form
}

function inputIn(html: string, titleId: string, name: string): string {
  const input = new RegExp(`<input[^>]* name="${name}"[^>]*>`).exec(formIn(html, titleId))?.[0]
  if (input === undefined) throw new Error(`no input ${name} in form ${titleId}`)
  return input
}

/** An input's value attribute as written in the HTML (escaped); undefined when it has none. */
const valueIn = (html: string, titleId: string, name: string) =>
  /value="([^"]*)"/.exec(inputIn(html, titleId, name))?.[1]

const checkedIn = (html: string, titleId: string, name: string) =>
  / checked/.test(inputIn(html, titleId, name))

/** The selected option's value of a select; undefined when none is marked. */
function chosenIn(html: string, titleId: string, name: string): string | undefined {
  const select = new RegExp(`<select[^>]* name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(
    formIn(html, titleId),
  )?.[1]
  if (select === undefined) throw new Error(`no select ${name} in form ${titleId}`)
  return /<option value="([^"]*)" selected/.exec(select)?.[1]
}

const flashCookie = (k: { browser: { cookies: Map<string, string> } }) =>
  Buffer.from(k.browser.cookies.get('capd_flash') ?? '', 'base64url').toString('utf8')

describe('a refused form comes back with what was typed', () => {
  it('new subscriber with a taken address: everything but the password, once, with a fresh key', async () => {
    const k = await setup()
    const before = k.snapshot()
    const { form, reply } = await k.post('/subscribers/new', 'new-subscriber-title', '/subscribers', {
      name: 'Bob Jones',
      login: 'bob',
      password: 'bob-secret-1',
      email: 'bob@example.net',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '10.0.0.5',
      billingDay: '15',
    })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/subscribers/new')
    expect(k.snapshot()).toBe(before)
    // Neither the password nor the form's tokens ride in the cookie.
    const cookie = flashCookie(k)
    expect(cookie).toContain('Bob Jones')
    for (const secret of ['bob-secret-1', form._csrf, form.idempotencyKey])
      expect(cookie).not.toContain(secret)

    const next = (await k.browser.get('/subscribers/new')).html
    expect(flashIn(next)?.kind).toBe('error')
    const t = 'new-subscriber-title'
    expect(valueIn(next, t, 'name')).toBe('Bob Jones')
    expect(valueIn(next, t, 'login')).toBe('bob')
    expect(valueIn(next, t, 'email')).toBe('bob@example.net')
    expect(valueIn(next, t, 'address')).toBe('10.0.0.5')
    expect(valueIn(next, t, 'billingDay')).toBe('15')
    expect(chosenIn(next, t, 'planId')).toBe(k.plan.id)
    expect(chosenIn(next, t, 'agentId')).toBe(k.agent.id)
    expect(valueIn(next, t, 'password')).toBeUndefined()
    expect(next).not.toContain('bob-secret-1')
    expect(valueIn(next, t, 'idempotencyKey')).not.toBe(form.idempotencyKey)

    const after = (await k.browser.get('/subscribers/new')).html
    expect(flashIn(after)).toBeUndefined()
    expect(valueIn(after, t, 'name')).toBeUndefined()
    expect(valueIn(after, t, 'address')).toBeUndefined()
    expect(valueIn(after, t, 'billingDay')).toBe('1')
    expect(chosenIn(after, t, 'planId')).toBeUndefined()
  })

  it('manual top-up: the amount, price and charge, in that form only', async () => {
    const k = await setup()
    const before = k.snapshot()
    const { reply } = await k.post(k.page, 'manual-topup-title', `${k.page}/topups`, {
      bytes: '5',
      bytesUnit: 'GB',
      price: '5.00',
      chargeTo: 'balance',
    })
    expect(reply.status).toBe(303)
    expect(k.snapshot()).toBe(before)

    const next = (await k.browser.get(k.page)).html
    expect(flashIn(next)).toEqual({ kind: 'error', text: 'balance is $0.00, the top-up costs $5.00' })
    expect(valueIn(next, 'manual-topup-title', 'bytes')).toBe('5')
    expect(chosenIn(next, 'manual-topup-title', 'bytesUnit')).toBe('GB')
    expect(valueIn(next, 'manual-topup-title', 'price')).toBe('5.00')
    expect(chosenIn(next, 'manual-topup-title', 'chargeTo')).toBe('balance')
    // Another form with a field of the same name keeps its own value.
    expect(chosenIn(next, 'sell-topup-title', 'chargeTo')).toBe('invoice')
    expect(valueIn(next, 'edit-subscriber-title', 'name')).toBe('Alice')

    const after = (await k.browser.get(k.page)).html
    expect(valueIn(after, 'manual-topup-title', 'bytes')).toBeUndefined()
    expect(chosenIn(after, 'manual-topup-title', 'bytesUnit')).toBe('')
    expect(valueIn(after, 'manual-topup-title', 'price')).toBeUndefined()
    expect(chosenIn(after, 'manual-topup-title', 'chargeTo')).toBe('invoice')
  })

  it('edit subscriber: the typed values over the stored ones, the password box empty', async () => {
    const k = await setup()
    await k.addSubscriber('Carol', '10.0.0.9')
    const before = k.snapshot()
    const { reply } = await k.post(
      k.page,
      'edit-subscriber-title',
      k.page,
      {
        name: 'Alice Changed',
        password: 'new-secret-2',
        email: 'alice@example.net',
        planId: k.plan.id,
        agentId: k.agent.id,
        address: '10.0.0.9',
        billingDay: '20',
      },
      false,
    )
    expect(reply.status).toBe(303)
    expect(k.snapshot()).toBe(before)
    const next = (await k.browser.get(k.page)).html
    const t = 'edit-subscriber-title'
    expect(next).toContain('<h1>Alice</h1>')
    expect(valueIn(next, t, 'name')).toBe('Alice Changed')
    expect(valueIn(next, t, 'email')).toBe('alice@example.net')
    expect(valueIn(next, t, 'address')).toBe('10.0.0.9')
    expect(valueIn(next, t, 'billingDay')).toBe('20')
    expect(valueIn(next, t, 'password')).toBeUndefined()
    expect(next).not.toContain('new-secret-2')
    expect(valueIn((await k.browser.get(k.page)).html, t, 'name')).toBe('Alice')
  })

  it('record a payment and auto top-up: fields and a ticked checkbox', async () => {
    const k = await setup()
    await k.post(k.page, 'payment-title', `${k.page}/payments`, { amount: 'lots', reference: 'bank 42' })
    const paid = (await k.browser.get(k.page)).html
    expect(valueIn(paid, 'payment-title', 'amount')).toBe('lots')
    expect(valueIn(paid, 'payment-title', 'reference')).toBe('bank 42')

    const stored = (await k.browser.get(k.page)).html
    expect(checkedIn(stored, 'auto-topup-title', 'enabled')).toBe(false)
    await k.post(
      k.page,
      'auto-topup-title',
      `${k.page}/auto-topup`,
      {
        enabled: 'on',
        topUpPlanId: k.topUpPlan.id,
        maxPerPeriod: '0',
        thresholdBytes: '1',
        thresholdBytesUnit: 'GB',
      },
      false,
    )
    const auto = (await k.browser.get(k.page)).html
    expect(refusalIn(auto)).toBe('Maximum per period: Enter a whole number from 1 to 100.')
    expect(checkedIn(auto, 'auto-topup-title', 'enabled')).toBe(true)
    expect(chosenIn(auto, 'auto-topup-title', 'topUpPlanId')).toBe(k.topUpPlan.id)
    expect(valueIn(auto, 'auto-topup-title', 'maxPerPeriod')).toBe('0')
    expect(valueIn(auto, 'auto-topup-title', 'thresholdBytes')).toBe('1')
    expect(chosenIn(auto, 'auto-topup-title', 'thresholdBytesUnit')).toBe('GB')
  })

  it('new and edit plan, new top-up plan, enrol an agent', async () => {
    const k = await setup()
    const before = k.snapshot()
    await k.post(
      '/plans',
      'new-plan-title',
      '/plans',
      { name: 'Family', capBytes: 'lots', onCap: 'throttle', throttleKbps: '512' },
      false,
    )
    const plans = (await k.browser.get('/plans')).html
    expect(valueIn(plans, 'new-plan-title', 'name')).toBe('Family')
    expect(valueIn(plans, 'new-plan-title', 'capBytes')).toBe('lots')
    expect(chosenIn(plans, 'new-plan-title', 'onCap')).toBe('throttle')
    expect(valueIn(plans, 'new-plan-title', 'throttleKbps')).toBe('512')

    const planPage = `/plans/${k.plan.id}`
    await k.post(
      planPage,
      'edit-plan-title',
      planPage,
      { name: 'Renamed', capBytes: '-1', onCap: 'block', throttleKbps: '' },
      false,
    )
    const edited = (await k.browser.get(planPage)).html
    expect(valueIn(edited, 'edit-plan-title', 'name')).toBe('Renamed')
    expect(valueIn(edited, 'edit-plan-title', 'capBytes')).toBe('-1')
    const again = (await k.browser.get(planPage)).html
    expect(valueIn(again, 'edit-plan-title', 'capBytes')).toBe('100')
    expect(chosenIn(again, 'edit-plan-title', 'capBytesUnit')).toBe('GB')

    await k.post(
      '/topup-plans',
      'new-topup-plan-title',
      '/topup-plans',
      { name: 'Weekend', bytes: '2', bytesUnit: 'GB', price: 'free', validityDays: '3' },
      false,
    )
    const topUpPlans = (await k.browser.get('/topup-plans')).html
    expect(valueIn(topUpPlans, 'new-topup-plan-title', 'name')).toBe('Weekend')
    expect(valueIn(topUpPlans, 'new-topup-plan-title', 'bytes')).toBe('2')
    expect(chosenIn(topUpPlans, 'new-topup-plan-title', 'bytesUnit')).toBe('GB')
    expect(valueIn(topUpPlans, 'new-topup-plan-title', 'price')).toBe('free')
    expect(valueIn(topUpPlans, 'new-topup-plan-title', 'validityDays')).toBe('3')

    const long = 'tower-'.repeat(20)
    await k.post('/agents', 'enrol-agent-title', '/agents', { name: long })
    const agents = (await k.browser.get('/agents')).html
    expect(refusalIn(agents)).toMatch(/: Use at most 100 characters\.$/)
    expect(valueIn(agents, 'enrol-agent-title', 'name')).toBe(long)
    expect(k.snapshot()).toBe(before)
  })

  it('escapes what was typed: quotes and angle brackets cannot make HTML', async () => {
    const k = await setup()
    const name = 'Bob "the <b>bold</b>" & co\'s'
    await k.post('/subscribers/new', 'new-subscriber-title', '/subscribers', {
      name,
      login: '"><script>alert(1)</script>',
      planId: '"><img src=x>',
      agentId: k.agent.id,
      address: '10.0.0.5',
      billingDay: '1',
    })
    const next = (await k.browser.get('/subscribers/new')).html
    expect(flashIn(next)?.kind).toBe('error')
    expect(valueIn(next, 'new-subscriber-title', 'name')).toBe(
      'Bob &quot;the &lt;b&gt;bold&lt;/b&gt;&quot; &amp; co&#39;s',
    )
    expect(valueIn(next, 'new-subscriber-title', 'login')).toBe(
      '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;',
    )
    expect(next).not.toContain('<b>bold')
    expect(next).not.toContain('<script>alert')
    expect(next).not.toContain('<img')
  })

  it('an oversized post keeps the cookie small and the page whole, without the typed values', async () => {
    const k = await setup()
    const before = k.snapshot()
    const { reply } = await k.post('/subscribers/new', 'new-subscriber-title', '/subscribers', {
      name: 'x'.repeat(5000),
      login: 'bob',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '10.0.0.7',
      billingDay: '1',
    })
    expect(reply.status).toBe(303)
    expect(k.snapshot()).toBe(before)
    const setCookie = reply.headers.getSetCookie().find((line) => line.startsWith('capd_flash='))!
    expect(setCookie.length).toBeLessThan(3072)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    expect(setCookie).toMatch(/Max-Age=60/)

    const next = await k.browser.get('/subscribers/new')
    expect(next.status).toBe(200)
    // The typed values are dropped to fit the cookie, the marks are not.
    expect(flashIn(next.html)).toEqual({ kind: 'error', text: 'Check the field marked below.' })
    expect(refusalIn(next.html)).toBe('Name: Use at most 100 characters.')
    expect(valueIn(next.html, 'new-subscriber-title', 'name')).toBeUndefined()
    expect(valueIn(next.html, 'new-subscriber-title', 'login')).toBeUndefined()
    expect(next.html).toContain('>Create subscriber</button>')
  })
})
