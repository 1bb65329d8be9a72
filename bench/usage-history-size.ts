/**
 * How much the usage history adds to the embedded store's document: one subscriber's rows after
 * a year and a bit of use (hourly entries booked as ingest books them, the retention job run each
 * day), in JSON bytes, for a heavy, a typical and a light user; against keeping every day's hours
 * for the whole 400 days (the baseline), and scaled to 10,000 subscribers.
 *
 * Part of `pnpm bench`; alone: `pnpm tsx bench/usage-history-size.ts`.
 */
import type { DomainEnv } from '../controller/src/domain/env.js'
import { bookUsageHistory, type CountedUsage } from '../controller/src/domain/usage-history.js'
import { pruneUsageHistory } from '../controller/src/domain/usage-history-retention.js'
import { emptyData } from '../controller/src/store/data.js'
import { DocumentStore } from '../controller/src/store/document-store.js'
import { formatNumber, printTable, ratio } from './table.js'

const HOUR_MS = 3_600_000
const DAYS = 430

interface Profile {
  name: string
  /** Share of days with any use. */
  activeDays: number
  /** Share of hours with use on an active day. */
  activeHours: number
  /** Bytes a day, roughly. */
  bytesPerDay: number
}

const PROFILES: Profile[] = [
  { name: 'heavy (every hour, 20 GB/day)', activeDays: 1, activeHours: 1, bytesPerDay: 20e9 },
  { name: 'typical (16 h of 24, 3 GB/day)', activeDays: 0.95, activeHours: 0.67, bytesPerDay: 3e9 },
  { name: 'light (half the days, 6 h, 200 MB/day)', activeDays: 0.5, activeHours: 0.25, bytesPerDay: 2e8 },
]

async function documentBytes(p: Profile, prune: boolean): Promise<number> {
  let nowMs = Date.parse('2026-01-01T00:00:00Z')
  const data = emptyData()
  const store = new DocumentStore(data, null)
  const env: DomainEnv = {
    clock: { now: () => nowMs },
    timeZone: 'Europe/Berlin',
    currency: 'USD',
    idempotencyTtlMs: 1,
  }
  let seed = 1
  const rnd = () => {
    seed = (seed * 16807) % 2147483647
    return seed / 2147483647
  }
  for (let day = 0; day < DAYS; day++) {
    const active = rnd() < p.activeDays
    const entries: CountedUsage[] = []
    for (let h = 0; h < 24; h++) {
      const atMs = nowMs + h * HOUR_MS + 1
      if (!active || rnd() >= p.activeHours) continue
      const bytes = Math.round((p.bytesPerDay / (24 * p.activeHours)) * (0.3 + 1.4 * rnd()))
      entries.push({
        subscriberId: 's_01hz3k5m9q2w8e7r6t5y4u3i2o',
        down: bytes,
        up: Math.round(bytes / 10),
        atMs,
      })
    }
    nowMs += 24 * HOUR_MS
    await store.transact((tx) => bookUsageHistory(tx, env, entries))
    if (prune) await store.transact((tx) => pruneUsageHistory(tx, env))
  }
  return JSON.stringify(data.usageDays).length
}

export async function usageHistorySize(): Promise<void> {
  const rows: string[][] = []
  for (const p of PROFILES) {
    const kept = await documentBytes(p, true)
    const everyHour = await documentBytes(p, false)
    rows.push([
      p.name,
      formatNumber(kept / 1024, 1),
      formatNumber(everyHour / 1024, 1),
      ratio(kept, everyHour),
      formatNumber((kept * 10_000) / 1e6, 0),
    ])
  }
  console.log(`\nusage history per subscriber after ${DAYS} days (hours kept 62 days, days 400)`)
  printTable(['user', 'KiB kept', `KiB, hours for ${DAYS} days`, 'ratio', 'MB for 10k subscribers'], rows)
}

if (import.meta.url === `file://${process.argv[1]}`) await usageHistorySize()
