import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

async function fixture() {
  const t = await testApp()
  const { subscriber, topUpPlan } = await t.seed()
  const put = (body: object) =>
    t.call('PUT', `/subscribers/${subscriber.id}/auto-topup`, {
      enabled: true,
      topUpPlanId: topUpPlan.id,
      maxPerPeriod: 2,
      ...body,
    })
  return { ...t, subscriber, topUpPlan, put }
}

describe('PUT /subscribers/:id/auto-topup settings', () => {
  it('saves every setting and answers with them', async () => {
    const f = await fixture()
    const settings = {
      trigger: { kind: 'percent_of_last', percent: 20 },
      minIntervalMs: 600_000,
      spendCapPerPeriod: 5000,
      compensateOverUsage: false,
      chargeTo: 'invoice',
      descriptionTemplate: '{plan} ({size}) for {subscriber}',
    }
    const res = await f.put(settings)
    expect(res.status).toBe(200)
    expect(res.body.autoTopUp).toMatchObject(settings)
    expect(f.data.subscribers[f.subscriber.id]!.autoTopUp).toMatchObject(settings)
  })

  it.each([
    ['maxPerPeriod', { maxPerPeriod: 0 }],
    ['maxPerPeriod', { maxPerPeriod: 101 }],
    ['maxPerPeriod', { maxPerPeriod: 1.5 }],
    ['trigger.percent', { trigger: { kind: 'percent_of_last', percent: 0 } }],
    ['trigger.percent', { trigger: { kind: 'percent_of_last', percent: 101 } }],
    ['trigger.bytes', { trigger: { kind: 'bytes', bytes: -1 } }],
    ['trigger.kind', { trigger: { kind: 'days', days: 3 } }],
    ['trigger', { trigger: { kind: 'bytes', bytes: 10 }, thresholdBytes: 10 }],
    ['minIntervalMs', { minIntervalMs: -1 }],
    ['minIntervalMs', { minIntervalMs: 8 * 86_400_000 }],
    ['spendCapPerPeriod', { spendCapPerPeriod: 0 }],
    ['spendCapPerPeriod', { spendCapPerPeriod: 10.5 }],
    ['chargeTo', { chargeTo: 'card' }],
    ['compensateOverUsage', { compensateOverUsage: 'yes' }],
    ['descriptionTemplate', { descriptionTemplate: 'Top-up {sise}' }],
    ['descriptionTemplate', { descriptionTemplate: '   ' }],
    ['descriptionTemplate', { descriptionTemplate: 'x'.repeat(201) }],
    ['descriptionTemplate', { descriptionTemplate: 'Top-up\u202e{size}' }],
  ])('refuses a bad %s (%j) with a 400 naming it, and changes nothing', async (path, body) => {
    const f = await fixture()
    const before = f.snapshot()
    const res = await f.put(body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path)
    expect(f.snapshot()).toBe(before)
  })

  it('names the placeholder it does not know', async () => {
    const f = await fixture()
    const res = await f.put({ descriptionTemplate: 'Top-up {sise}' })
    expect(res.body.error.message).toBe(
      'descriptionTemplate: may use only {size}, {plan} and {subscriber}, not {sise}',
    )
  })
})
