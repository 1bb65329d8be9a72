/**
 * A month of made-up usage for the demo's subscribers, booked through the same functions as an
 * agent's reports (period usage and history), so the charts mean something at first sight and the
 * history adds up to each subscriber's usage: evenings busy, nights quiet, a few heavy days.
 */
import { billingPeriod, drawnBytes } from '@capd/protocol'
import type { DomainEnv } from './domain/env.js'
import { localDayAt } from './domain/local-day.js'
import { bookReadings, type Reading } from './domain/usage-book.js'
import { bookUsageHistory, type CountedUsage } from './domain/usage-history.js'
import type { Tx } from './store/store.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
export const DEMO_HISTORY_DAYS = 30

/** Relative use by local hour: asleep at night, some by day, most in the evening. */
const DIURNAL = [3, 2, 1, 1, 1, 1, 2, 4, 6, 6, 6, 7, 8, 7, 6, 6, 7, 9, 12, 15, 16, 15, 11, 6]

export interface DemoUsage {
  subscriberId: string
  /** What the current period should hold by now (the earlier days scale alike). */
  periodBytes: number
  /** A different pattern per subscriber. */
  seed: number
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

/** Hourly entries from DEMO_HISTORY_DAYS ago up to now, scaled so the current period holds `periodBytes`. */
export function demoEntries(
  usage: DemoUsage,
  periodStartMs: number,
  nowMs: number,
  timeZone: string,
): CountedUsage[] {
  const rnd = random(usage.seed)
  const startMs = nowMs - (nowMs % HOUR_MS) - DEMO_HISTORY_DAYS * DAY_MS
  const heavy = new Set(Array.from({ length: 3 }, () => Math.floor(rnd() * DEMO_HISTORY_DAYS)))
  const weights: { atMs: number; w: number }[] = []
  for (let hourMs = startMs; hourMs < nowMs; hourMs += HOUR_MS) {
    const day = Math.floor((hourMs - startMs) / DAY_MS)
    const local = localDayAt(hourMs, timeZone)
    const hour = Math.floor((hourMs - local.startMs) / HOUR_MS) % 24
    const weekend = new Date(local.startMs + 12 * HOUR_MS).getUTCDay() % 6 === 0
    const w = DIURNAL[hour]! * (heavy.has(day) ? 3 : 1) * (weekend ? 1.4 : 1) * (0.6 + 0.8 * rnd())
    // The entry is dated within its hour, never after now.
    weights.push({ atMs: Math.min(hourMs + Math.floor(rnd() * HOUR_MS), nowMs), w })
  }
  const inPeriod = weights.filter((x) => x.atMs >= periodStartMs).reduce((sum, x) => sum + x.w, 0)
  const scale = usage.periodBytes / Math.max(1, inPeriod)
  return weights.map(({ atMs, w }) => {
    const bytes = Math.round(w * scale)
    const up = Math.round(bytes * (0.08 + 0.06 * rnd()))
    return { subscriberId: usage.subscriberId, down: bytes - up, up, atMs }
  })
}

/** Books the entries into their periods and the history, as ingest does. */
export async function seedDemoHistory(tx: Tx, env: DomainEnv, usage: DemoUsage): Promise<void> {
  let sub = (await tx.subscribers.get(usage.subscriberId))!
  const nowMs = env.clock.now()
  const period = billingPeriod(nowMs, sub.billingDay, env.timeZone)
  const entries = demoEntries(usage, period.startMs, nowMs, env.timeZone)
  // One reading per entry in time order, so each draws from the buckets valid when it was read.
  const readings: Reading[] = entries.map((e) => {
    const drawn = drawnBytes(sub.limitTerms ?? {}, e.down, e.up, e.atMs)
    const counted = drawnBytes({ count: sub.limitTerms?.count }, e.down, e.up, e.atMs)
    const periodStartMs = billingPeriod(e.atMs, sub.billingDay, env.timeZone).startMs
    return { periodStartMs, atMs: e.atMs, drawnBytes: drawn, freeBytes: counted - drawn }
  })
  sub = await bookReadings(tx, env, sub, readings)
  await bookUsageHistory(tx, env, entries)
}
