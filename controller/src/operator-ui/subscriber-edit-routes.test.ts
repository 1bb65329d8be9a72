import { describe, expect, it } from 'vitest'
import { BrowserCaller, csrfFrom } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { portalLoginStatus } from '../testing/portal-login.js'
import { fieldIn, flashIn, subscriberTestKit } from './subscriber-test-kit.js'

type Kit = Awaited<ReturnType<typeof subscriberTestKit>>

async function setup() {
  const k = await subscriberTestKit()
  const page = `/subscribers/${k.subscriber.id}`
  /** What a person fills in on the "New subscriber" form. */
  const bob = (fields: Record<string, string> = {}) => ({
    name: 'Bob Jones',
    login: 'bob',
    password: 'bob-secret-1',
    email: 'bob@example.net',
    planId: k.plan.id,
    agentId: k.agent.id,
    address: '10.0.0.7',
    billingDay: '15',
    ...fields,
  })
  /** Loads the new subscriber page and posts its form as a browser would: its CSRF field and key. */
  async function create(fields: Record<string, string>) {
    const html = (await k.browser.get('/subscribers/new')).html
    const form = {
      _csrf: csrfFrom(html),
      idempotencyKey: fieldIn(html, 'new-subscriber-title', 'idempotencyKey'),
      ...fields,
    }
    return { form, reply: await k.browser.post('/subscribers', form) }
  }
  /** The edit form as the page fills it in, with `fields` changed, posted. */
  async function edit(fields: Record<string, string>) {
    const html = (await k.browser.get(page)).html
    const sub = k.data.subscribers[k.subscriber.id]!
    const form = {
      _csrf: csrfFrom(html),
      name: sub.name,
      password: '',
      email: sub.email ?? '',
      planId: sub.planId,
      agentId: sub.agentId,
      address: sub.address ?? '',
      billingDay: String(sub.billingDay),
      ...fields,
    }
    return k.browser.post(page, form)
  }
  const flash = async (path: string) => flashIn((await k.browser.get(path)).html)
  const subscribers = () => Object.values(k.data.subscribers)
  return { ...k, page, bob, create, edit, flash, subscribers }
}

describe('new subscriber', () => {
  it('is a button on the list, and a page with the form; a visitor is sent to log in', async () => {
    const k = await setup()
    expect((await k.browser.get('/subscribers')).html).toContain(
      '<a class="button" href="/subscribers/new">New subscriber</a>',
    )
    const { status, html } = await k.browser.get('/subscribers/new')
    expect(status).toBe(200)
    expect(html).toContain('<h1 id="new-subscriber-title">New subscriber</h1>')
    expect(html).toMatch(/<form method="post" action="\/subscribers" aria-labelledby="new-subscriber-title">/)
    for (const label of ['Name', 'Login', 'Password', 'E-mail', 'Plan', 'Agent', 'Address', 'Billing day']) {
      expect(html).toMatch(new RegExp(`<label for="new-[a-z-]+">${label}</label>`))
    }
    expect(html).toContain('name="password" type="password"')
    expect(html).toContain('Lets the customer use the portal; leave empty for no portal login')
    expect(html).toContain('IPv4/IPv6 address or prefix, e.g. 10.0.0.5 or 2001:db8::/64')
    expect(html).toContain('name="billingDay" type="text" value="1"')
    expect(html).toContain('>Create subscriber</button>')
    expect(html).toContain(`<option value="${k.plan.id}">Basic 100 GB</option>`)
    expect(html).toContain(`<option value="${k.agent.id}">tower-1</option>`)

    const visitor = new BrowserCaller(k.app)
    expect((await visitor.get('/subscribers/new')).location).toBe('/login?next=%2Fsubscribers%2Fnew')
  })

  it('offers only plans on offer and live agents', async () => {
    const k = await setup()
    const old = (await k.call('POST', '/plans', { name: 'Old plan', capBytes: 1e9, onCap: 'block' })).body
    await k.call('POST', `/plans/${old.id}/retire`)
    const gone = (await k.call('POST', '/agents', { name: 'tower-gone' })).body
    await k.call('POST', `/agents/${gone.id}/revoke`)
    const { html } = await k.browser.get('/subscribers/new')
    expect(html).not.toContain('Old plan')
    expect(html).not.toContain('tower-gone')
  })

  it('creates the subscriber: its page, on the list, the agent told, and the password opens the portal', async () => {
    const k = await setup()
    const { reply } = await k.create(k.bob())
    const created = k.subscribers().find((s) => s.login === 'bob')!
    expect(created).toMatchObject({
      name: 'Bob Jones',
      email: 'bob@example.net',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '10.0.0.7',
      billingDay: 15,
    })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe(`/subscribers/${created.id}`)
    const page = await k.browser.get(reply.location!)
    expect(page.html).toContain('<h1>Bob Jones</h1>')
    expect(flashIn(page.html)).toEqual({ kind: 'ok', text: 'Subscriber Bob Jones created.' })
    expect((await k.browser.get('/subscribers')).html).toContain(
      `<a href="/subscribers/${created.id}">Bob Jones</a>`,
    )
    expect(k.limitsChanged).toEqual([created.id])
    expect(await portalLoginStatus(k.app, 'bob', 'bob-secret-1')).toBe(200)
    const [entry] = k.data.audit.filter((a) => a.action === 'subscriber.create' && a.entityId === created.id)
    expect(entry!.actor).toMatch(/^user:/)
    expect(JSON.stringify(k.data)).not.toContain('bob-secret-1')
  })

  it('without a password or an e-mail: no portal login; a canonical address, billing day "last"', async () => {
    const k = await setup()
    await k.create(k.bob({ password: '', email: '', address: '2001:DB8:0:0::/64', billingDay: 'Last' }))
    const created = k.subscribers().find((s) => s.login === 'bob')!
    expect(created).toMatchObject({ address: '2001:db8::/64', billingDay: 'last' })
    expect(created).not.toHaveProperty('passwordHash')
    expect(created).not.toHaveProperty('email')
    expect(await portalLoginStatus(k.app, 'bob', '')).toBe(400)
    expect(await portalLoginStatus(k.app, 'bob', 'bob-secret-1')).toBe(401)
  })

  it('posting the same form twice creates one subscriber', async () => {
    const k = await setup()
    const { form, reply } = await k.create(k.bob())
    const again = await k.browser.post('/subscribers', form)
    expect(again.status).toBe(303)
    expect(again.location).toBe(reply.location)
    expect(k.subscribers().filter((s) => s.login === 'bob')).toHaveLength(1)
    expect(k.data.audit.filter((a) => a.action === 'subscriber.create')).toHaveLength(2) // alice, bob
  })

  const refusals: [string, Record<string, string>, RegExp, ((k: Kit) => Promise<Record<string, string>>)?][] =
    [
      ['a taken login (any case)', { login: 'ALICE' }, /^Login: "ALICE" is taken\.$/],
      [
        'a taken address',
        { address: '10.0.0.5' },
        /^Address: 10.0.0.5 already belongs to Alice on this agent\.$/,
      ],
      ['a bad address', { address: '10.0.0.300' }, /^Address: /],
      [
        'a prefix holding an address taken on the agent',
        { address: '10.0.0.0/16' },
        /^Address: 10\.0\.0\.0\/16 overlaps 10\.0\.0\.5 of Alice on this agent\.$/,
      ],
      ['a catch-all', { address: '0.0.0.0/0' }, /^Address: 0\.0\.0\.0\/0 is a catch-all prefix/],
      ['a loopback address', { address: '127.0.0.1' }, /^Address: 127\.0\.0\.1 is a loopback address\.$/],
      ['a multicast address', { address: 'ff02::1' }, /^Address: ff02::1 is a multicast address\.$/],
      ['a prefix with host bits', { address: '10.0.0.5/24' }, /^Address: /],
      [
        'a bad billing day',
        { billingDay: '32' },
        /^Billing day: Enter a day of the month from 1 to 31, or "last"\.$/,
      ],
      ['a word for a billing day', { billingDay: 'first' }, /^Billing day: Enter a day/],
      ['an empty name', { name: '' }, /^Name: Enter the subscriber's name\.$/],
      ['an empty login', { login: ' ' }, /^Login: This field is required\.$/],
      ['a login with spaces', { login: 'bob jones' }, /^Login: Use only letters/],
      ['a short password', { password: 'short' }, /^Password: Use at least 8 characters/],
      ['a bad e-mail', { email: 'bob-at-home' }, /^E-mail: /],
      ['no plan', { planId: '' }, /^Plan: This field is required\.$/],
      [
        'a retired plan',
        {},
        /^Plan: "Old plan" is retired\.$/,
        async (k) => {
          const old = (await k.call('POST', '/plans', { name: 'Old plan', capBytes: 1e9, onCap: 'block' }))
            .body
          await k.call('POST', `/plans/${old.id}/retire`)
          return { planId: old.id }
        },
      ],
      [
        'a revoked agent',
        {},
        /^Agent: "tower-gone" is revoked\.$/,
        async (k) => {
          const gone = (await k.call('POST', '/agents', { name: 'tower-gone' })).body
          await k.call('POST', `/agents/${gone.id}/revoke`)
          return { agentId: gone.id }
        },
      ],
    ]

  it.each(refusals)(
    'refuses %s with a message naming the field, changing nothing',
    async (_, fields, message, prepare) => {
      const k = await setup()
      const prepared = prepare ? await prepare(k) : {}
      const before = k.snapshot()
      const { reply } = await k.create(k.bob({ ...fields, ...prepared }))
      expect(reply.status).toBe(303)
      expect(reply.location).toBe('/subscribers/new')
      const html = (await k.browser.get('/subscribers/new')).html
      expect(flashIn(html)).toEqual({ kind: 'error', text: 'Check the field marked below.' })
      expect(refusalIn(html)).toMatch(message)
      expect(k.snapshot()).toBe(before)
      expect(k.limitsChanged).toEqual([])
    },
  )

  it.each([
    ['without the CSRF field', {}],
    ['from another site', { 'sec-fetch-site': 'cross-site' }],
  ])('refuses a post %s with 403 and changes nothing', async (name, headers) => {
    const k = await setup()
    const html = (await k.browser.get('/subscribers/new')).html
    const form = { ...k.bob(), idempotencyKey: fieldIn(html, 'new-subscriber-title', 'idempotencyKey') }
    const csrf: Record<string, string> = name === 'without the CSRF field' ? {} : { _csrf: csrfFrom(html) }
    const before = k.snapshot()
    const reply = await k.browser.post('/subscribers', { ...form, ...csrf }, { headers })
    expect(reply.status).toBe(403)
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })
})

describe('edit subscriber', () => {
  it('shows the form pre-filled, with the login as text', async () => {
    const k = await setup()
    const { html } = await k.browser.get(k.page)
    expect(html).toContain('<h2 id="edit-subscriber-title">Edit subscriber</h2>')
    expect(html).toMatch(
      new RegExp(`<form method="post" action="${k.page}" aria-labelledby="edit-subscriber-title">`),
    )
    expect(html).toContain('name="name" type="text" value="Alice"')
    expect(html).toContain('<strong>Login</strong><span>alice</span>')
    expect(html).not.toContain('name="login"')
    expect(html).toContain('<label for="edit-password">New password</label>')
    expect(html).toContain('name="address" type="text" value="10.0.0.5"')
    expect(html).toContain('name="billingDay" type="text" value="1"')
    expect(html).toContain(`<option value="${k.plan.id}" selected="">Basic 100 GB</option>`)
    expect(html).toContain('>Save subscriber</button>')
  })

  it('moves it to another plan: the limit changes at once and the agent is told', async () => {
    const k = await setup()
    const big = (await k.call('POST', '/plans', { name: 'Big 200 GB', capBytes: 200e9, onCap: 'block' })).body
    const reply = await k.edit({ planId: big.id, name: 'Alice Smith', email: 'alice@example.net' })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe(k.page)
    const page = await k.browser.get(k.page)
    expect(flashIn(page.html)).toEqual({ kind: 'ok', text: 'Subscriber saved.' })
    expect(page.html).toContain('<h1>Alice Smith</h1>')
    expect(page.html).toContain('Big 200 GB</a>')
    const read = (await k.call('GET', `/subscribers/${k.subscriber.id}`)).body
    expect(read).toMatchObject({ planId: big.id, email: 'alice@example.net', usage: { limitBytes: 200e9 } })
    expect(k.limitsChanged).toEqual([k.subscriber.id])
    const [entry] = k.data.audit.filter((a) => a.action === 'subscriber.update')
    expect(entry).toMatchObject({
      actor: expect.stringMatching(/^user:/),
      data: { name: 'Alice Smith', email: 'alice@example.net', planId: big.id },
    })
  })

  it('keeps the password when the box is empty, and replaces it when one is typed', async () => {
    const k = await setup()
    await k.call('PATCH', `/subscribers/${k.subscriber.id}`, { password: 'old-secret-1' })
    await k.edit({ name: 'Alice Smith', password: '' })
    expect(k.data.subscribers[k.subscriber.id]!.name).toBe('Alice Smith')
    expect(await portalLoginStatus(k.app, 'alice', 'old-secret-1')).toBe(200)

    await k.edit({ password: 'new-secret-2' })
    expect(await k.flash(k.page)).toEqual({ kind: 'ok', text: 'Subscriber saved.' })
    expect(await portalLoginStatus(k.app, 'alice', 'old-secret-1')).toBe(401)
    expect(await portalLoginStatus(k.app, 'alice', 'new-secret-2')).toBe(200)
    expect(JSON.stringify(k.data)).not.toContain('new-secret-2')
  })

  it('moves it to another agent and address', async () => {
    const k = await setup()
    const other = (await k.call('POST', '/agents', { name: 'tower-2' })).body
    await k.edit({ agentId: other.id, address: '10.1.0.5', billingDay: 'last' })
    expect(await k.flash(k.page)).toEqual({ kind: 'ok', text: 'Subscriber saved.' })
    expect(k.data.subscribers[k.subscriber.id]).toMatchObject({
      agentId: other.id,
      address: '10.1.0.5',
      billingDay: 'last',
      formerAgentIds: [k.agent.id],
    })
    expect(k.limitsChanged).toEqual([k.subscriber.id])
  })

  it('keeps a retired plan it is on, shown as retired, when saved unchanged', async () => {
    const k = await setup()
    await k.call('POST', `/plans/${k.plan.id}/retire`)
    const { html } = await k.browser.get(k.page)
    expect(html).toContain(`<option value="${k.plan.id}" selected="">Basic 100 GB (retired)</option>`)
    const reply = await k.edit({ name: 'Alice Smith' })
    expect(reply.status).toBe(303)
    expect(await k.flash(k.page)).toEqual({ kind: 'ok', text: 'Subscriber saved.' })
    expect(k.data.subscribers[k.subscriber.id]).toMatchObject({ name: 'Alice Smith', planId: k.plan.id })
  })

  it.each([
    [{ address: 'home' }, /^Address: /],
    [{ address: '::ffff:10.0.0.7' }, /^Address: ::ffff:a00:7 is an IPv4-mapped address/],
    [{ address: '224.0.0.1' }, /^Address: 224\.0\.0\.1 is a multicast address\.$/],
    [{ billingDay: '0' }, /^Billing day: Enter a day/],
    [{ name: '  ' }, /^Name: Enter the subscriber's name\.$/],
    [{ password: 'short' }, /^New password: Use at least 8 characters/],
    [{ agentId: 'agt_nope' }, /^Agent: Agent agt_nope does not exist\.$/],
  ])('refuses %j with a message naming the field, changing nothing', async (fields, message) => {
    const k = await setup()
    const before = k.snapshot()
    const reply = await k.edit(fields)
    expect(reply.location).toBe(k.page)
    const html = (await k.browser.get(k.page)).html
    expect(flashIn(html)).toEqual({ kind: 'error', text: 'Check the field marked below.' })
    expect(refusalIn(html)).toMatch(message)
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })

  it('refuses an address another subscriber on the agent has, changing nothing', async () => {
    const k = await setup()
    await k.addSubscriber('Carol', '10.0.0.8')
    const before = k.snapshot()
    await k.edit({ address: '10.0.0.8' })
    expect(refusalIn((await k.browser.get(k.page)).html)).toBe(
      'Address: 10.0.0.8 already belongs to Carol on this agent.',
    )
    expect(k.snapshot()).toBe(before)
  })

  it('refuses a prefix that holds another subscriber on the agent, changing nothing', async () => {
    const k = await setup()
    await k.addSubscriber('Carol', '10.0.3.8')
    const before = k.snapshot()
    await k.edit({ address: '10.0.2.0/23' })
    expect(refusalIn((await k.browser.get(k.page)).html)).toBe(
      'Address: 10.0.2.0/23 overlaps 10.0.3.8 of Carol on this agent.',
    )
    expect(k.snapshot()).toBe(before)
  })

  it('refuses a post without the CSRF field with 403, changing nothing', async () => {
    const k = await setup()
    const before = k.snapshot()
    const reply = await k.browser.post(k.page, { name: 'Mallory', billingDay: '1' })
    expect(reply.status).toBe(403)
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })
})
