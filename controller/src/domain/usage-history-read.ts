/** A subscriber's usage history for a range of local days, every day present (zeros without usage). */
import { localDateTime } from '@capd/protocol'
import type { Tx } from '../store/store.js'
import { usageDayId, usageMonthId } from '../store/usage-history-entities.js'
import { HOUR_MS, localDayNamed, shiftDay } from './local-day.js'

export interface HourPoint {
  readonly startMs: number
  /** The local clock at the hour's start, `HH:MM` (seen twice on a DST-end day). */
  readonly localTime: string
  readonly down: number
  readonly up: number
}

export interface DayPoint {
  /** `YYYY-MM-DD`, local */
  readonly day: string
  readonly startMs: number
  readonly endMs: number
  readonly down: number
  readonly up: number
  /** Absent when the day is older than the hourly retention and had usage (its hours are gone, folded into its month). */
  readonly hours?: readonly HourPoint[]
}

export async function usageHistory(
  tx: Tx,
  timeZone: string,
  subscriberId: string,
  fromDay: string,
  toDay: string,
): Promise<DayPoint[]> {
  const rows = new Map((await tx.usageDays.forSubscriber(subscriberId, fromDay, toDay)).map((r) => [r.id, r]))
  const months = new Map(
    (await tx.usageMonths.forSubscriber(subscriberId, fromDay.slice(0, 7), toDay.slice(0, 7))).map((m) => [
      m.id,
      m,
    ]),
  )
  const days: DayPoint[] = []
  for (let day = fromDay; day <= toDay; day = shiftDay(day, 1)) {
    const local = localDayNamed(day, timeZone)
    const row = rows.get(usageDayId(subscriberId, day))
    const month = months.get(usageMonthId(subscriberId, day.slice(0, 7)))
    const at = Number(day.slice(8, 10)) - 1
    const folded = { down: month?.down[at] ?? 0, up: month?.up[at] ?? 0 }
    // A day folded into its month has no hours left (a late entry may have started a new row).
    const hasHours = folded.down === 0 && folded.up === 0
    days.push({
      day,
      startMs: local.startMs,
      endMs: local.endMs,
      down: (row?.down ?? 0) + folded.down,
      up: (row?.up ?? 0) + folded.up,
      ...(hasHours
        ? {
            hours: Array.from({ length: local.hours }, (_, i) => {
              const startMs = local.startMs + i * HOUR_MS
              return {
                startMs,
                localTime: clockText(startMs, timeZone),
                down: row?.hourDown?.[i] ?? 0,
                up: row?.hourUp?.[i] ?? 0,
              }
            }),
          }
        : {}),
    })
  }
  return days
}

function clockText(atMs: number, timeZone: string): string {
  const l = localDateTime(atMs, timeZone)
  return `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`
}
