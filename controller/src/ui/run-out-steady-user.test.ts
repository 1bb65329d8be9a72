/**
 * A steady 8 MB/s user after a heavy start to the period: the run-out read from the operator page
 * data, with usage booked through the real ingest path on a hand-moved clock, against when the
 * cap is actually reached.
 */
import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { ingestUsage } from '../domain/usage-ingest.js'
import { loadSubscriberPage } from '../operator-ui/subscriber-page-data.js'
import { testApp } from '../testing/test-app.js'
import { projectRunOut } from './run-out.js'

const MB = 1_000_000
const GB = 1_000 * MB
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const PACE = 8 * MB // bytes per second

describe('the run-out of a steady 8 MB/s user', () => {
  // A day of usage through the API: seconds on a busy machine, so more than the default 5 s.
  it('is predicted within 10 % of when the cap is reached, though the period’s pace says never', {
    timeout: 60_000,
  }, async () => {
    const periodStart = Date.parse('2026-03-01T00:00:00Z')
    const t = await testApp({ nowMs: periodStart })
    const plan = (await t.call('POST', '/plans', { name: 'Big 500 GB', capBytes: 500 * GB, onCap: 'block' }))
      .body
    const agent = (await t.call('POST', '/agents', { name: 'tower-1' })).body
    const sub = (
      await t.call('POST', '/subscribers', {
        name: 'Heavy',
        login: 'heavy',
        planId: plan.id,
        agentId: agent.id,
        address: '10.0.0.5',
      })
    ).body
    let seq = 0
    /** One agent reading of `bytes` at `atMs`, booked at that time. */
    const read = async (atMs: number, bytes: number) => {
      t.clock.set(atMs)
      seq += 1
      const batch: Usage = {
        v: PROTOCOL_VERSION,
        type: 'usage',
        epoch: 'e1',
        entries: [
          {
            seq,
            subscriberId: sub.id,
            periodStart: new Date(periodStart).toISOString(),
            down: Math.round(bytes * 0.9),
            up: bytes - Math.round(bytes * 0.9),
            atMs,
          },
        ],
      }
      await t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
    }
    const page = () => t.store.transact((tx) => loadSubscriberPage(tx, t.env, sub.id))

    // A heavy first day (250 GB in 50 readings 10 minutes apart), then nothing for over a week.
    for (let i = 1; i <= 50; i++) await read(periodStart + i * 10 * MINUTE, 5 * GB)
    expect((await page()).usage.usedBytes).toBe(250 * GB)

    // From 10 March, a steady 8 MB/s, read every minute. Predictions are read once the recent
    // rate has had four half-lives to learn the new pace, and then every hour.
    const start = Date.parse('2026-03-10T12:00:00Z')
    const predictions: { readAtMs: number; atMs: number; byPeriodPace: ReturnType<typeof projectRunOut> }[] =
      []
    let at = start
    let reachedAtMs: number | undefined
    while (reachedAtMs === undefined) {
      at += MINUTE
      await read(at, (PACE * MINUTE) / 1000)
      const d = await page()
      if (d.usage.usedBytes >= d.usage.limitBytes) {
        // The minute's reading crossed the cap: when within it, at this pace.
        reachedAtMs = at - ((d.usage.usedBytes - d.usage.limitBytes) / PACE) * 1000
        expect(d.runOut.kind).toBe('reached')
      } else if (at - start >= 4 * HOUR && (at - start) % HOUR === 0) {
        expect(d.runOut.kind, `at ${new Date(at).toISOString()}`).toBe('at')
        if (d.runOut.kind !== 'at') continue
        expect(d.runOut.basis).toBe('recent')
        const byPeriodPace = projectRunOut({
          usedBytes: d.usage.usedBytes,
          limitBytes: d.usage.limitBytes,
          sinceMs: periodStart,
          periodEndMs: d.period.endMs,
          nowMs: at,
        })
        predictions.push({ readAtMs: at, atMs: d.runOut.atMs, byPeriodPace })
      }
      expect(at - start, 'the cap is reached at all').toBeLessThan(24 * HOUR)
    }

    expect(predictions.length).toBeGreaterThanOrEqual(4)
    for (const p of predictions) {
      const left = reachedAtMs - p.readAtMs
      const error = Math.abs(p.atMs - reachedAtMs) / left
      expect(error, `read at ${new Date(p.readAtMs).toISOString()}`).toBeLessThanOrEqual(0.1)
      // The straight line through the whole period, heavy first day and idle week included, is
      // far off: it says the data lasts the period (the complaint this projection answers).
      const misled = p.byPeriodPace.kind !== 'at' || Math.abs(p.byPeriodPace.atMs - reachedAtMs) / left > 0.1
      expect(misled).toBe(true)
    }
  })
})
