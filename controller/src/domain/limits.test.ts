import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { limitsFor, refreshAllLimits } from './limits.js'

describe('limit versions', () => {
  it('start at 1, rise with a top-up and with its expiry, and stay put otherwise', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    const limit = async () => (await t.store.transact((tx) => limitsFor(tx, t.env, [subscriber.id])))[0]!
    expect(await limit()).toMatchObject({ limitVersion: 1, limitBytes: 100e9 })
    expect(await limit()).toMatchObject({ limitVersion: 1 })

    const res = await t.call('POST', `/subscribers/${subscriber.id}/topups`, {
      bytes: 1e9,
      price: { amount: 100, currency: 'USD' },
      validityDays: 2,
    })
    expect(res.status).toBe(201)
    expect(await limit()).toMatchObject({ limitVersion: 2, limitBytes: 101e9 })

    const refresh = () => t.store.transact((tx) => refreshAllLimits(tx, t.env))
    const expiresAtMs = Date.parse(res.body.topUp.expiresAt)
    expect(await refresh()).toEqual({ changedIds: [], nextChangeAtMs: expiresAtMs })
    t.clock.set(expiresAtMs)
    expect(await refresh()).toEqual({ changedIds: [subscriber.id], nextChangeAtMs: Date.parse('2026-04-01') })
    expect(await limit()).toMatchObject({ limitVersion: 3, limitBytes: 100e9 })
  })

  it('unknown subscribers are skipped', async () => {
    const t = await testApp()
    expect(await t.store.transact((tx) => limitsFor(tx, t.env, ['sub_nobody']))).toEqual([])
  })
})
