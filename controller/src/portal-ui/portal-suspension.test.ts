import { describe, expect, it } from 'vitest'
import { runAutoTopUp } from '../domain/auto-topup.js'
import { portalLoginStatus } from '../testing/portal-login.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'
import { SUSPENDED_NO_TOPUPS } from './suspended-notice.js'

const REASON = 'Unpaid invoice INV-2026-000012'

describe('a suspended customer in the portal', () => {
  it('reads why on the home page, offered no top-up, and never the operators’ notes', async () => {
    const k = await pagesKit()
    await k.call('PATCH', `/subscribers/${k.anna.id}`, {
      notes: 'Operator only: threatened to churn',
      phone: '+254712345678',
    })
    await k.call('POST', `/subscribers/${k.anna.id}/suspend`, { reason: REASON })
    await k.agentApplies(k.anna.id, 'blocked')
    const browser = await k.browserFor(ANNA)
    const page = (await browser.get('/portal')).html
    expect(page).toContain(`Your account is suspended: ${REASON}.`)
    expect(page).not.toContain('action="/portal/topups"')
    // The suspension, not the allowance, is why the customer is offline.
    expect(page).not.toContain('You are offline until your connection gets your new limit')
    expect(page).not.toContain('threatened to churn')

    const session = await k.login(ANNA)
    const me = (await k.portal('GET', '/portal/api/me', session)).body
    expect(me.suspension).toMatchObject({ reason: REASON })
    expect(me.phone).toBe('+254712345678')
    expect(JSON.stringify(me)).not.toContain('threatened to churn')
  })

  it('cannot buy a top-up by form or API, and auto top-up does not fire', async () => {
    const k = await pagesKit()
    await k.call('PUT', `/subscribers/${k.anna.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: 3,
    })
    const browser = await k.browserFor(ANNA)
    await browser.get('/portal')
    const session = await k.login(ANNA)
    await k.useUp(k.anna.id)
    await k.call('POST', `/subscribers/${k.anna.id}/suspend`, { reason: REASON })
    const before = k.snapshot()

    await browser.submit('/portal', '/portal/topups', {
      topUpPlanId: k.topUpPlan.id,
      idempotencyKey: 'sus-1',
    })
    expect((await browser.get('/portal')).html).toContain(SUSPENDED_NO_TOPUPS)
    const api = await k.portal('POST', '/portal/api/topups', {
      ...session,
      idempotencyKey: 'sus-2',
      body: { topUpPlanId: k.topUpPlan.id, pay: 'balance' },
    })
    expect(api.status).toBe(409)
    expect(api.body.error.code).toBe('suspended')
    expect(await k.store.transact((tx) => runAutoTopUp(tx, k.env, k.anna.id))).toEqual([])
    expect(k.snapshot()).toBe(before)
    expect(Object.values(k.data.topUps).filter((t) => t.subscriberId === k.anna.id)).toEqual([])

    // Resumed at the cap, auto top-up works again: the resume itself runs it (the hub does after
    // every limit change), with no usage report needed.
    await k.call('POST', `/subscribers/${k.anna.id}/resume`)
    const autoTopUps = () =>
      Object.values(k.data.topUps).filter((t) => t.subscriberId === k.anna.id && t.source === 'auto')
    for (let i = 0; i < 100 && autoTopUps().length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(autoTopUps().length).toBeGreaterThan(0)
  })
})

describe('a deleted customer in the portal', () => {
  it('is logged out and cannot log in again', async () => {
    const k = await pagesKit()
    const session = await k.login(ANNA)
    expect((await k.portal('GET', '/portal/api/me', session)).status).toBe(200)
    await k.call('DELETE', `/subscribers/${k.anna.id}`)
    expect((await k.portal('GET', '/portal/api/me', session)).status).toBe(401)
    expect(await portalLoginStatus(k.app, ANNA.login, ANNA.password)).toBe(401)
  })
})
