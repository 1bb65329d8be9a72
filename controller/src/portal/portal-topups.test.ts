import { describe, expect, it } from 'vitest'
import { ANNA, BEN, portalKit } from './portal-test-kit.js'

const topUp = (
  k: Awaited<ReturnType<typeof portalKit>>,
  session: { cookie: string; csrf: string },
  key?: string,
) =>
  k.portal('POST', '/portal/api/topups', {
    ...session,
    ...(key ? { idempotencyKey: key } : {}),
    body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
  })

describe('portal top-ups', () => {
  it('charges the balance, raises the limit at once and pushes it to the agent', async () => {
    const k = await portalKit()
    const session = await k.login(ANNA)
    const reply = await topUp(k, session, 'buy-1')
    expect(reply.status).toBe(201)
    expect(reply.body.topUp).toMatchObject({ bytes: 10e9, source: 'portal', chargeTo: 'balance' })
    expect(reply.body.invoice).toMatchObject({ status: 'paid', paidWith: 'balance', total: { amount: 500 } })
    expect(reply.body.usage.limitBytes).toBe(110e9)
    expect(reply.body.balance).toEqual({ amount: 1500, currency: 'USD' })
    expect(k.limitsChanged).toEqual([k.anna.id])

    const me = (await k.portal('GET', '/portal/api/me', session)).body
    expect(me.usage.limitBytes).toBe(110e9)
    expect(me.balance.amount).toBe(1500)
    const audit = (await k.call('GET', '/audit?limit=5')).body.items
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'topup.create', actor: `customer:${k.anna.id}` }),
    )
  })

  it('applies once per Idempotency-Key: the same key again replays the answer', async () => {
    const k = await portalKit()
    const session = await k.login(ANNA)
    const first = await topUp(k, session, 'buy-1')
    const again = await topUp(k, session, 'buy-1')
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body).toEqual(first.body)
    const items = (await k.portal('GET', '/portal/api/topups', session)).body.items
    expect(items).toHaveLength(1)
    expect((await k.portal('GET', '/portal/api/me', session)).body.balance.amount).toBe(1500)

    const parallel = await Promise.all([topUp(k, session, 'buy-2'), topUp(k, session, 'buy-2')])
    expect(parallel.map((r) => r.status)).toEqual([201, 201])
    expect((await k.portal('GET', '/portal/api/topups', session)).body.items).toHaveLength(2)
  })

  it('keeps one customer’s keys apart from another’s', async () => {
    const k = await portalKit()
    await k.call('POST', `/subscribers/${k.ben.id}/payments`, { amount: { amount: 1000, currency: 'USD' } })
    const a = await topUp(k, await k.login(ANNA), 'same-key')
    const b = await topUp(k, await k.login(BEN), 'same-key')
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.body.topUp.subscriberId).toBe(k.ben.id)
  })

  it('requires an Idempotency-Key, changing nothing without one', async () => {
    const k = await portalKit()
    const session = await k.login(ANNA)
    const before = k.snapshot()
    const reply = await topUp(k, session)
    expect(reply.status).toBe(400)
    expect(reply.body.error.code).toBe('idempotency_key_required')
    expect(k.snapshot()).toBe(before)
  })

  it('refuses with 402 when the balance is short, changing nothing', async () => {
    const k = await portalKit()
    const session = await k.login(BEN) // $3.00 for a $5.00 top-up
    const before = k.snapshot()
    const reply = await topUp(k, session, 'buy-1')
    expect(reply.status).toBe(402)
    expect(reply.body.error.code).toBe('insufficient_balance')
    expect(k.snapshot()).toBe(before)
    expect(k.limitsChanged).toEqual([])
  })

  it('refuses card payment where no card provider is configured, changing nothing', async () => {
    const k = await portalKit()
    const session = await k.login(ANNA)
    const before = k.snapshot()
    const reply = await k.portal('POST', '/portal/api/topups', {
      ...session,
      idempotencyKey: 'card-1',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'card' },
    })
    expect(reply.status).toBe(422)
    expect(reply.body.error).toMatchObject({ code: 'payment_unavailable' })
    expect(k.snapshot()).toBe(before)
  })

  it('refuses a retired or unknown top-up plan', async () => {
    const k = await portalKit()
    const session = await k.login(ANNA)
    await k.call('POST', `/topup-plans/${k.topUpPlan.id}/retire`)
    const before = k.snapshot()
    expect((await topUp(k, session, 'r')).status).toBe(422)
    const unknown = await k.portal('POST', '/portal/api/topups', {
      ...session,
      idempotencyKey: 'u',
      body: { topUpPlanId: 'tpl_nope', pay: 'balance' },
    })
    expect(unknown.status).toBe(422)
    expect(k.snapshot()).toBe(before)
  })

  it("lists the caller's own top-ups and invoices only", async () => {
    const k = await portalKit()
    const a = await k.login(ANNA)
    const b = await k.login(BEN)
    await k.call('POST', `/subscribers/${k.ben.id}/topups`, { topUpPlanId: k.topUpPlan.id }) // B, on invoice
    const mine = (await topUp(k, a, 'a-1')).body
    const topUps = (await k.portal('GET', '/portal/api/topups', a)).body.items
    const invoices = (await k.portal('GET', '/portal/api/invoices', a)).body.items
    expect(topUps.map((t: { id: string }) => t.id)).toEqual([mine.topUp.id])
    expect(invoices.map((i: { id: string }) => i.id)).toEqual([mine.invoice.id])
    const theirs = (await k.portal('GET', '/portal/api/invoices', b)).body.items
    expect(theirs).toHaveLength(1)
    expect(theirs[0].subscriberId).toBe(k.ben.id)
  })
})
