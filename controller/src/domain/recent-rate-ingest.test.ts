import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import type { LimitTerms } from '../store/entities.js'
import { testApp } from '../testing/test-app.js'
import { foldRate } from './recent-rate.js'
import { ingestUsage } from './usage-ingest.js'

const MINUTE = 60_000

async function fixture(terms: Partial<LimitTerms> = {}) {
  const t = await testApp()
  const { agent, subscriber } = await t.seed()
  await t.store.transact(async (tx) => {
    const sub = (await tx.subscribers.get(subscriber.id))!
    await tx.subscribers.update({ ...sub, limitTerms: { ...sub.limitTerms!, ...terms } })
  })
  let seq = 0
  let last: Usage | undefined
  const send = (batch: Usage) => t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
  const ingest = (
    readings: { atMs: number; down: number; up: number }[],
    periodStart = '2026-03-01T00:00:00.000Z',
  ) => {
    last = {
      v: PROTOCOL_VERSION,
      type: 'usage',
      epoch: 'e1',
      entries: readings.map((r) => ({ seq: ++seq, subscriberId: subscriber.id, periodStart, ...r })),
    }
    return send(last)
  }
  /** The last batch again, as an agent that missed the ack sends it. */
  const resend = () => send(last!)
  const rate = () => t.data.subscribers[subscriber.id]!.recentRate
  return { ...t, ingest, resend, rate }
}

describe('the recent rate at ingest', () => {
  it('folds each reading in journal order, at its own time, once however often it is sent', async () => {
    const f = await fixture()
    const now = f.clock.now()
    const readings = [1, 2, 3].map((i) => ({ atMs: now - (4 - i) * MINUTE, down: i * 1e6, up: 1e5 }))
    await f.ingest(readings.slice(0, 2))
    await f.ingest(readings.slice(2))
    await f.resend()
    let expected = undefined as ReturnType<typeof foldRate> | undefined
    for (const r of readings) expected = foldRate(expected, r.atMs, r.down + r.up)
    expect(f.rate()).toEqual(expected)
  })

  it('counts only drawn bytes: uploads on a download-only plan and free-hour usage are not', async () => {
    const now = Date.parse('2026-03-10T12:00:00Z')
    const f = await fixture({
      count: 'down',
      freeWindows: [{ startMs: now - 10 * MINUTE, endMs: now - 5 * MINUTE }],
    })
    await f.ingest([
      { atMs: now - 20 * MINUTE, down: 0, up: 9e9 },
      { atMs: now - 7 * MINUTE, down: 9e9, up: 0 },
    ])
    expect(f.rate()).toEqual({ bytesPerSecond: 0, atMs: now - 7 * MINUTE })
    await f.ingest([{ atMs: now - MINUTE, down: 6e6, up: 9e9 }])
    expect(f.rate()).toEqual(foldRate({ bytesPerSecond: 0, atMs: now - 7 * MINUTE }, now - MINUTE, 6e6))
  })

  it('takes a reading dated after now (an agent clock ahead) as read now', async () => {
    const f = await fixture()
    const now = f.clock.now()
    await f.ingest([{ atMs: now + 86_400_000, down: 5e6, up: 0 }])
    expect(f.rate()).toEqual(foldRate(undefined, now, 5e6))
  })

  it("leaves out late usage of an ended period: it says nothing of how fast this period's data goes", async () => {
    const f = await fixture()
    f.clock.set(Date.parse('2026-04-02T12:00:00Z'))
    await f.ingest([{ atMs: Date.parse('2026-03-31T23:00:00Z'), down: 9e9, up: 0 }])
    expect(f.rate()).toBeUndefined()
    const now = f.clock.now()
    await f.ingest([{ atMs: now - MINUTE, down: 5e6, up: 0 }], '2026-04-01T00:00:00.000Z')
    expect(f.rate()).toEqual(foldRate(undefined, now - MINUTE, 5e6))
  })
})
