import { describe, expect, it } from 'vitest'
import { csrfFrom } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { FROM_LOGIN } from './subscriber-address.js'
import { fieldIn, flashIn, subscriberTestKit } from './subscriber-test-kit.js'

const HINT = 'Leave empty for PPPoE/hotspot subscribers: the agent finds the address from the login.'

async function setup() {
  const k = await subscriberTestKit()
  /** Posts the "New subscriber" form as a browser would, the address box left as given. */
  async function create(fields: Record<string, string>) {
    const html = (await k.browser.get('/subscribers/new')).html
    return k.browser.post('/subscribers', {
      _csrf: csrfFrom(html),
      idempotencyKey: fieldIn(html, 'new-subscriber-title', 'idempotencyKey'),
      name: 'Pat PPPoE',
      login: 'pat',
      password: '',
      email: '',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '',
      billingDay: '1',
      ...fields,
    })
  }
  /** Posts the edit form of subscriber `id` as the page fills it in, with `fields` changed. */
  async function edit(id: string, fields: Record<string, string>) {
    const page = `/subscribers/${id}`
    const html = (await k.browser.get(page)).html
    const sub = k.data.subscribers[id]!
    return k.browser.post(page, {
      _csrf: csrfFrom(html),
      name: sub.name,
      password: '',
      email: sub.email ?? '',
      planId: sub.planId,
      agentId: sub.agentId,
      address: sub.address ?? '',
      billingDay: String(sub.billingDay),
      ...fields,
    })
  }
  const byLogin = (login: string) => Object.values(k.data.subscribers).find((s) => s.login === login)!
  return { ...k, create, edit, byLogin }
}

describe('subscribers known by login in the operator pages', () => {
  it('the address box is optional on both forms, and says when to leave it empty', async () => {
    const k = await setup()
    for (const path of ['/subscribers/new', `/subscribers/${k.subscriber.id}`]) {
      const { html } = await k.browser.get(path)
      const input = /<input id="[a-z]+-address" name="address"[^>]*>/.exec(html)?.[0]
      expect(input, path).toBeDefined()
      expect(input, path).not.toContain('required')
      expect(html, path).toContain(HINT)
    }
  })

  it('an empty address box creates one known by login: "from login" on its page and in the list', async () => {
    const k = await setup()
    const reply = await k.create({})
    expect(reply.status).toBe(303)
    const pat = k.byLogin('pat')
    expect(pat).not.toHaveProperty('address')
    expect(reply.location).toBe(`/subscribers/${pat.id}`)
    expect(k.limitsChanged).toEqual([pat.id])
    const page = (await k.browser.get(reply.location!)).html
    expect(flashIn(page)).toEqual({ kind: 'ok', text: 'Subscriber Pat PPPoE created.' })
    expect(page).toMatch(new RegExp(`<dt>Address</dt><dd><span class="hint"[^>]*>${FROM_LOGIN}</span></dd>`))
    // Its edit form shows the box empty; saved unchanged, it stays without an address.
    expect(page).toMatch(/<input id="edit-address" name="address" type="text" aria-describedby/)
    const list = (await k.browser.get('/subscribers')).html
    expect(list).toContain(FROM_LOGIN)
    expect(list).toContain('10.0.0.5')
    const before = k.snapshot()
    expect((await k.edit(pat.id, {})).status).toBe(303)
    expect(k.snapshot()).toBe(before)
  })

  it('emptying the address box of an addressed one removes its address, and the agent is told', async () => {
    const k = await setup()
    const reply = await k.edit(k.subscriber.id, { address: '' })
    expect(reply.status).toBe(303)
    expect(await flashIn((await k.browser.get(reply.location!)).html)).toEqual({
      kind: 'ok',
      text: 'Subscriber saved.',
    })
    expect(k.data.subscribers[k.subscriber.id]).not.toHaveProperty('address')
    expect(k.limitsChanged).toEqual([k.subscriber.id])
    // Typing one back in gives it an address again, checked as ever.
    await k.addSubscriber('Carol', '10.0.0.8')
    const before = k.snapshot()
    await k.edit(k.subscriber.id, { address: '10.0.0.8' })
    expect(refusalIn((await k.browser.get(`/subscribers/${k.subscriber.id}`)).html)).toBe(
      'Address: 10.0.0.8 already belongs to Carol on this agent.',
    )
    expect(k.snapshot()).toBe(before)
    await k.edit(k.subscriber.id, { address: '10.0.0.9' })
    expect(k.data.subscribers[k.subscriber.id]?.address).toBe('10.0.0.9')
  })

  it('a bad address is still refused naming the field, changing nothing', async () => {
    const k = await setup()
    const before = k.snapshot()
    await k.create({ address: 'home' })
    expect(refusalIn((await k.browser.get('/subscribers/new')).html)).toMatch(/^Address: /)
    expect(k.snapshot()).toBe(before)
  })

  it('a search by address, and the delete page, cope with one known by login', async () => {
    const k = await setup()
    await k.create({})
    const pat = k.byLogin('pat')
    const found = await k.browser.get('/subscribers?q=10.0.0')
    expect(found.status).toBe(200)
    expect(found.html).toContain(`/subscribers/${k.subscriber.id}"`)
    expect(found.html).not.toContain(`/subscribers/${pat.id}"`)
    const del = await k.browser.get(`/subscribers/${pat.id}/delete`)
    expect(del.status).toBe(200)
    expect(del.html).toContain('Its rules are removed from its router at the agent&#39;s next sync.')
    expect(del.html).not.toContain('undefined')
  })
})
