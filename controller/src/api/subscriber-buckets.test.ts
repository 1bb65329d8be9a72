import { describe, expect, it } from 'vitest'
import type { Allowance } from '../store/entities.js'
import { testApp } from '../testing/test-app.js'

const GB = 1e9

async function withTopUp() {
  const t = await testApp()
  const seeded = await t.seed()
  await t.store.transact(async (tx) => {
    const sub = (await tx.subscribers.get(seeded.subscriber.id))!
    await tx.subscribers.update({ ...sub, usedBytes: 30 * GB })
  })
  const bought = await t.call('POST', `/subscribers/${seeded.subscriber.id}/topups`, {
    topUpPlanId: seeded.topUpPlan.id,
  })
  expect(bought.status).toBe(201)
  const setAllowance = (allowance: Allowance) =>
    t.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(seeded.subscriber.id))!
      await tx.subscribers.update({ ...sub, allowance })
    })
  return { ...t, ...seeded, topUp: bought.body.topUp, setAllowance }
}

describe('a subscriber’s buckets in the API', () => {
  it('lists the plan’s data and each top-up with size, used, left and validity, in one and in the list', async () => {
    const t = await withTopUp()
    const one = (await t.call('GET', `/subscribers/${t.subscriber.id}`)).body
    const { usage, buckets } = one
    expect(buckets).toHaveLength(2)
    const [plan, topUp] = buckets
    expect(plan).toMatchObject({
      id: 'plan',
      kind: 'plan',
      sizeBytes: t.plan.capBytes,
      validFrom: usage.periodStart,
      validUntil: usage.periodEnd,
      expired: false,
    })
    expect(topUp).toMatchObject({
      kind: 'topup',
      topUpId: t.topUp.id,
      sizeBytes: 10 * GB,
      validUntil: t.topUp.expiresAt,
      expired: false,
    })
    for (const b of buckets) {
      expect(Object.keys(b).sort()).toEqual(
        [
          'id',
          'kind',
          'label',
          'sizeBytes',
          'usedBytes',
          'leftBytes',
          'validFrom',
          'validUntil',
          'expired',
          ...(b.kind === 'topup' ? ['topUpId'] : []),
        ].sort(),
      )
      expect(b.usedBytes + b.leftBytes).toBe(b.sizeBytes)
    }
    // What the buckets hold between them is what the usage figures say.
    expect(buckets.reduce((s: number, b: { usedBytes: number }) => s + b.usedBytes, 0)).toBe(usage.usedBytes)
    expect(buckets.reduce((s: number, b: { leftBytes: number }) => s + b.leftBytes, 0)).toBe(
      usage.remainingBytes,
    )
    // Nothing recorded yet of what no bucket paid for: not said rather than said to be 0.
    expect(one).not.toHaveProperty('freeBytes')
    expect(one).not.toHaveProperty('overBytes')

    const list = (await t.call('GET', '/subscribers')).body
    expect(list.items.find((s: { id: string }) => s.id === t.subscriber.id).buckets).toEqual(buckets)
  })

  it('gives free-hour and over-cap usage of this period, never of an earlier one', async () => {
    const t = await withTopUp()
    const { usage } = (await t.call('GET', `/subscribers/${t.subscriber.id}`)).body
    const draws = { drawn: {}, rollover: [], forgivenBytes: 0, freeBytes: 3 * GB, overBytes: 2 * GB }
    await t.setAllowance({ ...draws, periodStartMs: Date.parse(usage.periodStart) })
    const now = (await t.call('GET', `/subscribers/${t.subscriber.id}`)).body
    expect(now).toMatchObject({ freeBytes: 3 * GB, overBytes: 2 * GB })

    await t.setAllowance({ ...draws, periodStartMs: Date.parse('2026-02-01T00:00:00Z') })
    const stale = (await t.call('GET', `/subscribers/${t.subscriber.id}`)).body
    expect(stale).not.toHaveProperty('freeBytes')
    expect(stale).not.toHaveProperty('overBytes')
  })
})
