import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { localDayAt, shiftDay } from './local-day.js'
import { bookUsageHistory, type CountedUsage } from './usage-history.js'
import { usageHistory } from './usage-history-read.js'
import { DAILY_KEEP_DAYS, HOURLY_KEEP_DAYS, pruneUsageHistory } from './usage-history-retention.js'
import { ingestUsage } from './usage-ingest.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Reference: the local day as Intl names it; its start found by walking 15-minute steps (every zone's offset is a multiple). */
function refDay(atMs: number, timeZone: string): string {
  return new Date(atMs).toLocaleDateString('sv-SE', { timeZone })
}
const QUARTER = 15 * 60_000
function refStart(atMs: number, timeZone: string): number {
  const day = refDay(atMs, timeZone)
  let start = atMs - (atMs % QUARTER)
  while (refDay(start - QUARTER, timeZone) === day) start -= QUARTER
  return start
}
const refDays = new Map<string, { start: number; end: number }>()
function refSlot(atMs: number, timeZone: string): { day: string; hour: number; hours: number } {
  const key = `${timeZone}/${refDay(atMs, timeZone)}`
  let known = refDays.get(key)
  if (!known) {
    const start = refStart(atMs, timeZone)
    let end = start + 20 * HOUR
    while (refDay(end, timeZone) === refDay(start, timeZone)) end += QUARTER
    known = { start, end }
    refDays.set(key, known)
  }
  const { start, end } = known
  return {
    day: refDay(atMs, timeZone),
    hour: Math.floor((atMs - start) / HOUR),
    hours: Math.ceil((end - start) / HOUR),
  }
}

function random(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('bookUsageHistory', () => {
  for (const [timeZone, fromIso, seed] of [
    ['Europe/Berlin', '2026-03-27T00:00:00Z', 1],
    ['Europe/Berlin', '2026-10-23T00:00:00Z', 2],
    ['America/New_York', '2026-10-30T12:00:00Z', 3],
    ['Asia/Kolkata', '2026-02-26T00:00:00Z', 4],
  ] as const) {
    it(`books random entries into local hours and days in ${timeZone} from ${fromIso} across DST changes`, async () => {
      const fromMs = Date.parse(fromIso)
      // Now sits inside the span: entries after it are booked at now.
      const nowMs = fromMs + 5 * DAY + 7 * HOUR
      const t = await testApp({ nowMs, timeZone })
      const rnd = random(seed)
      const subs = ['s_a', 's_b', 's_c']
      const entries: CountedUsage[] = Array.from({ length: 600 }, () => ({
        subscriberId: subs[Math.floor(rnd() * subs.length)]!,
        down: rnd() < 0.1 ? 0 : Math.floor(rnd() * 5e8),
        up: rnd() < 0.3 ? 0 : Math.floor(rnd() * 5e7),
        atMs: fromMs + Math.floor(rnd() * 7 * DAY),
      }))
      // In random batches, several transactions, each in any order.
      for (let i = 0; i < entries.length; ) {
        const n = 1 + Math.floor(rnd() * 80)
        await t.store.transact((tx) => bookUsageHistory(tx, t.env, entries.slice(i, i + n)))
        i += n
      }

      const want = new Map<string, { down: number[]; up: number[] }>()
      for (const e of entries) {
        if (e.down === 0 && e.up === 0) continue
        const slot = refSlot(Math.min(e.atMs, nowMs), timeZone)
        const key = `${e.subscriberId}/${slot.day}`
        const w = want.get(key) ?? { down: Array(slot.hours).fill(0), up: Array(slot.hours).fill(0) }
        w.down[slot.hour] += e.down
        w.up[slot.hour] += e.up
        want.set(key, w)
      }
      const rows = Object.values(t.data.usageDays)
      expect(rows.map((r) => r.id).sort()).toEqual([...want.keys()].sort())
      for (const row of rows) {
        const w = want.get(row.id)!
        expect(row.hourDown).toEqual(w.down)
        expect(row.hourUp).toEqual(w.up)
        expect(row.down).toBe(w.down.reduce((a, b) => a + b, 0))
        expect(row.up).toBe(w.up.reduce((a, b) => a + b, 0))
      }
      const sum = (f: (e: CountedUsage) => number, xs: readonly CountedUsage[]) =>
        xs.reduce((a, e) => a + f(e), 0)
      expect(sum((e) => e.down + e.up, entries)).toBe(rows.reduce((a, r) => a + r.down + r.up, 0))
    })
  }

  it('gives a DST-start day 23 hours and a DST-end day 25 in Berlin', async () => {
    const t = await testApp({ nowMs: Date.parse('2026-11-01T00:00:00Z'), timeZone: 'Europe/Berlin' })
    const at = (iso: string) => ({ subscriberId: 's', down: 1, up: 2, atMs: Date.parse(iso) })
    await t.store.transact((tx) =>
      bookUsageHistory(tx, t.env, [
        at('2026-03-29T21:59:00Z'),
        at('2026-10-25T22:59:00Z'),
        at('2026-10-25T00:30:00Z'),
      ]),
    )
    expect(t.data.usageDays['s/2026-03-29']!.hourDown).toHaveLength(23)
    expect(t.data.usageDays['s/2026-03-29']!.hourDown[22]).toBe(1)
    const fallBack = t.data.usageDays['s/2026-10-25']!
    expect(fallBack.hourDown).toHaveLength(25)
    // 00:30 UTC is 02:30 summer time, the third hour; 22:59 UTC is 23:59 winter time, the last.
    expect(fallBack.hourDown[2]).toBe(1)
    expect(fallBack.hourUp[24]).toBe(2)
  })
})

describe('pruneUsageHistory', () => {
  it('folds days past the hourly retention into month totals and forgets months past the daily one, losing no byte inside it', async () => {
    const zone = 'Europe/Berlin'
    const nowMs = Date.parse('2027-06-15T10:00:00Z')
    const t = await testApp({ nowMs, timeZone: zone })
    const rnd = random(9)
    const entries: CountedUsage[] = Array.from({ length: 1500 }, () => ({
      subscriberId: rnd() < 0.5 ? 's_a' : 's_b',
      down: 1 + Math.floor(rnd() * 1000),
      up: Math.floor(rnd() * 100),
      atMs: nowMs - Math.floor(rnd() * 450 * DAY),
    }))
    await t.store.transact((tx) => bookUsageHistory(tx, t.env, entries))
    await t.store.transact((tx) => pruneUsageHistory(tx, t.env))
    const today = refDay(nowMs, zone)
    const hoursFrom = shiftDay(today, -HOURLY_KEEP_DAYS)
    const daysFrom = shiftDay(today, -DAILY_KEEP_DAYS)
    expect(Object.values(t.data.usageDays).every((r) => r.day >= hoursFrom)).toBe(true)
    expect(Object.values(t.data.usageMonths).every((m) => m.month >= daysFrom.slice(0, 7))).toBe(true)
    expect(Object.keys(t.data.usageMonths).length).toBeGreaterThan(0)

    const want = new Map<string, { down: number; up: number }>()
    const remember = (e: CountedUsage) => {
      const key = `${e.subscriberId}/${refDay(e.atMs, zone)}`
      const w = want.get(key) ?? { down: 0, up: 0 }
      want.set(key, { down: w.down + e.down, up: w.up + e.up })
    }
    entries.forEach(remember)
    const check = async () => {
      for (const sub of ['s_a', 's_b']) {
        const days = await t.store.transact((tx) => usageHistory(tx, zone, sub, daysFrom, today))
        for (const d of days) {
          const w = want.get(`${sub}/${d.day}`) ?? { down: 0, up: 0 }
          expect(d.down, d.day).toBe(w.down)
          expect(d.up, d.day).toBe(w.up)
          if (d.day >= hoursFrom) {
            expect(d.hours, d.day).toBeDefined()
            expect(d.hours!.reduce((a, h) => a + h.down, 0)).toBe(d.down)
          } else if (d.down + d.up > 0) {
            expect(d.hours, d.day).toBeUndefined()
          }
        }
      }
    }
    await check()
    // A late entry for a folded day adds to its total, and stays added once folded again.
    const late = { subscriberId: 's_a', down: 5, up: 6, atMs: nowMs - 100 * DAY }
    remember(late)
    await t.store.transact((tx) => bookUsageHistory(tx, t.env, [late]))
    await check()
    await t.store.transact((tx) => pruneUsageHistory(tx, t.env))
    await check()
  })
})

describe('usage history at ingest', () => {
  it('books counted down/up by local day with the usage, across a period boundary, matching each period’s usage', async () => {
    const nowMs = Date.parse('2026-04-03T12:00:00Z')
    const t = await testApp({ nowMs: nowMs - 20 * DAY, timeZone: 'Europe/Berlin' })
    const { agent, subscriber } = await t.seed()
    t.clock.set(nowMs)
    const rnd = random(5)
    let seq = 0
    const entries = Array.from({ length: 200 }, () => {
      const atMs = nowMs - Math.floor(rnd() * 6 * DAY)
      return {
        seq: ++seq,
        subscriberId: subscriber.id,
        periodStart: new Date(atMs).toISOString(),
        down: Math.floor(rnd() * 1e6),
        up: Math.floor(rnd() * 1e5),
        atMs,
      }
    })
    for (let i = 0; i < entries.length; i += 25) {
      const batch: Usage = {
        v: PROTOCOL_VERSION,
        type: 'usage',
        epoch: 'e1',
        entries: entries.slice(i, i + 25),
      }
      await t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
    }
    const rows = Object.values(t.data.usageDays).filter((r) => r.subscriberId === subscriber.id)
    const total = rows.reduce((a, r) => a + r.down + r.up, 0)
    expect(total).toBe(entries.reduce((a, e) => a + e.down + e.up, 0))
    // With the default terms (both directions, no free hours) the period's usage is its days' sum.
    const sub = t.data.subscribers[subscriber.id]!
    const periodStartDay = localDayAt(sub.usagePeriodStartMs, 'Europe/Berlin').day
    const inPeriod = rows.filter((r) => r.day >= periodStartDay).reduce((a, r) => a + r.down + r.up, 0)
    expect(inPeriod).toBe(sub.usedBytes)
    expect(rows.some((r) => r.day < periodStartDay)).toBe(true)
  })
})
