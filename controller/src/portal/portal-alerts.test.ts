import { describe, expect, it } from 'vitest'
import { setAlertChoices } from '../domain/alert-choices.js'
import { Refusal } from '../domain/refusal.js'
import { ANNA, BEN, portalKit } from './portal-test-kit.js'

const ALL_OFF = { email: false, sms: false, receipts: false }

describe('portal API: the customer’s alert choices', () => {
  it('starts at the defaults, saves the customer’s own, shows them in /me and to the operator, audited', async () => {
    const k = await portalKit()
    const anna = await k.login(ANNA)
    expect((await k.portal('GET', '/portal/api/alerts', anna)).body).toEqual({
      email: true,
      sms: true,
      receipts: true,
    })
    const put = await k.portal('PUT', '/portal/api/alerts', {
      ...anna,
      body: { email: false, sms: false, receipts: true },
    })
    expect(put.status).toBe(200)
    expect(put.body).toEqual({ email: false, sms: false, receipts: true })
    expect((await k.portal('GET', '/portal/api/alerts', anna)).body).toEqual(put.body)
    expect((await k.portal('GET', '/portal/api/me', anna)).body.alerts).toEqual(put.body)
    expect((await k.call('GET', `/subscribers/${k.anna.id}`)).body.alerts).toEqual(put.body)
    // Ben's are untouched.
    expect(k.data.subscribers[k.ben.id]!.alerts).toBeUndefined()
    expect((await k.call('GET', `/subscribers/${k.ben.id}`)).body.alerts).toEqual({
      email: true,
      sms: true,
      receipts: true,
    })
    const audited = Object.values(k.data.audit).filter((a) => a.action === 'alerts.set')
    expect(audited).toEqual([
      expect.objectContaining({ actor: `customer:${k.anna.id}`, entityId: k.anna.id, data: put.body }),
    ])
  })

  it('refuses a body that is not three booleans, or names anyone, changing nothing', async () => {
    const k = await portalKit()
    const anna = await k.login(ANNA)
    const before = k.snapshot()
    for (const body of [
      { email: true, sms: true },
      { email: 'yes', sms: true, receipts: true },
      { email: 1, sms: 0, receipts: 0 },
      { ...ALL_OFF, subscriberId: k.ben.id },
      { ...ALL_OFF, receipt: false },
      [false, false, false],
      'not json',
    ]) {
      const reply = await k.portal('PUT', '/portal/api/alerts', { ...anna, body })
      expect(reply.status, JSON.stringify(body)).toBe(400)
      expect(reply.body.error.code).toMatch(/^invalid_(request|json)$/)
    }
    expect(k.snapshot()).toBe(before)
  })

  it('refuses switching on a way whose contact is missing, naming the field; one left on stays on', async () => {
    const k = await portalKit()
    // Anna has an e-mail address but no phone: SMS is on by default and may stay on.
    const anna = await k.login(ANNA)
    expect(
      (await k.portal('PUT', '/portal/api/alerts', { ...anna, body: { ...ALL_OFF, sms: true } })).status,
    ).toBe(200)
    await k.portal('PUT', '/portal/api/alerts', { ...anna, body: ALL_OFF })
    const before = k.snapshot()
    const reply = await k.portal('PUT', '/portal/api/alerts', { ...anna, body: { ...ALL_OFF, sms: true } })
    expect(reply.status).toBe(400)
    expect(reply.body.error.details).toEqual([
      { path: 'sms', message: 'cannot be switched on without a phone number on file' },
    ])
    expect(k.snapshot()).toBe(before)
    // With a phone on file it can.
    await k.call('PATCH', `/subscribers/${k.anna.id}`, { phone: '+254712345678' })
    expect(
      (await k.portal('PUT', '/portal/api/alerts', { ...anna, body: { ...ALL_OFF, sms: true } })).status,
    ).toBe(200)
  })

  it('needs the session, its CSRF token and a same-site request', async () => {
    const k = await portalKit()
    const anna = await k.login(ANNA)
    const ben = await k.login(BEN)
    const before = k.snapshot()
    const body = ALL_OFF
    expect((await k.portal('PUT', '/portal/api/alerts', { body })).status).toBe(401)
    expect((await k.portal('GET', '/portal/api/alerts')).status).toBe(401)
    expect((await k.portal('PUT', '/portal/api/alerts', { cookie: anna.cookie, body })).status).toBe(403)
    expect(
      (await k.portal('PUT', '/portal/api/alerts', { ...anna, csrf: `${anna.csrf}x`, body })).status,
    ).toBe(403)
    // Another session's token is no token for this one.
    expect(
      (await k.portal('PUT', '/portal/api/alerts', { cookie: anna.cookie, csrf: ben.csrf, body })).status,
    ).toBe(403)
    const crossSite = await k.portal('PUT', '/portal/api/alerts', {
      ...anna,
      body,
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    })
    expect(crossSite.status).toBe(403)
    expect(crossSite.body.error.code).toBe('cross_site')
    // An operator's token is no portal login.
    expect(
      (
        await k.portal('PUT', '/portal/api/alerts', {
          body,
          headers: { authorization: `Bearer ${k.TEST_TOKEN}` },
        })
      ).status,
    ).toBe(401)
    expect(k.snapshot()).toBe(before)
  })

  it('takes no change for a deleted subscriber: the session ends, and the domain refuses', async () => {
    const k = await portalKit()
    const anna = await k.login(ANNA)
    expect((await k.call('DELETE', `/subscribers/${k.anna.id}`)).status).toBe(200)
    const before = k.snapshot()
    expect((await k.portal('PUT', '/portal/api/alerts', { ...anna, body: ALL_OFF })).status).toBe(401)
    const refusal = await k.store
      .transact((tx) => setAlertChoices(tx, k.env, 'system', k.anna.id, ALL_OFF))
      .catch((err: unknown) => err)
    expect(refusal).toBeInstanceOf(Refusal)
    expect((refusal as Refusal).code).toBe('deleted')
    expect(k.snapshot()).toBe(before)
  })
})
