/** Booking usage into the period it was used in: the current one on the subscriber, older ones in usagePeriods. */

import { type DailyUsage, type Subscriber, usagePeriodId } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { Refusal } from './refusal.js'
import { currentPeriod, type Period } from './usage.js'

/** Moves usage of a finished period off the subscriber (into usagePeriods), so it starts the current one at 0. */
export async function rollUsage(tx: Tx, sub: Subscriber, current: Period): Promise<Subscriber> {
  if (sub.usagePeriodStartMs >= current.startMs) return sub
  if (sub.usedBytes > 0) await addPastUsage(tx, sub.id, sub.usagePeriodStartMs, sub.usedBytes)
  const rolled = { ...sub, usedBytes: 0, usagePeriodStartMs: current.startMs }
  await tx.subscribers.update(rolled)
  return rolled
}

/**
 * Adds `bytes` to the period that starts at `periodStartMs`. A period later than the current one
 * (an agent whose clock runs ahead) counts as the current one: the controller's clock decides.
 */
export async function bookUsage(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  periodStartMs: number,
  bytes: number,
): Promise<Subscriber> {
  const current = currentPeriod(sub, env.clock.now(), env.timeZone)
  const rolled = await rollUsage(tx, sub, current)
  if (periodStartMs < current.startMs) {
    await addPastUsage(tx, sub.id, periodStartMs, bytes)
    return rolled
  }
  const updated = {
    ...rolled,
    usedBytes: addBytes(rolled.usedBytes, bytes),
    dailyUsage: addToDay(rolled.dailyUsage, current.startMs, env.clock.now(), bytes),
  }
  await tx.subscribers.update(updated)
  return updated
}

/**
 * A new billing day gives a new current period `to` in place of `from`. Usage booked in `from` is
 * split by day: the days inside `to` count in it (moving the billing day gives no fresh cap), the
 * days before it stay on record as `from`'s. Without a daily split (older rows) all of it counts in
 * `to`. Usage of periods before `from` is not moved.
 */
export async function reanchorUsage(tx: Tx, sub: Subscriber, from: Period, to: Period): Promise<Subscriber> {
  const { dailyUsage, ...rest } = await rollUsage(tx, sub, from)
  const daily = dailyUsage?.periodStartMs === from.startMs ? dailyUsage.bytes : undefined
  // Both periods start at a local midnight: whole days apart, give or take a DST hour.
  const shift = Math.round((to.startMs - from.startMs) / DAY_MS)
  let usedBytes = rest.usedBytes
  let days: number[] | undefined
  if (daily) {
    days = shift >= 0 ? daily.slice(shift) : [...new Array<number>(-shift).fill(0), ...daily]
    const inTo = days.reduce((sum, n) => sum + n, 0)
    if (shift > 0) usedBytes = Math.min(rest.usedBytes, inTo)
  }
  if (rest.usedBytes > usedBytes) await addPastUsage(tx, sub.id, from.startMs, rest.usedBytes - usedBytes)
  return {
    ...rest,
    usedBytes,
    usagePeriodStartMs: to.startMs,
    ...(days ? { dailyUsage: { periodStartMs: to.startMs, bytes: days } } : {}),
  }
}

async function addPastUsage(
  tx: Tx,
  subscriberId: string,
  periodStartMs: number,
  bytes: number,
): Promise<void> {
  const id = usagePeriodId(subscriberId, periodStartMs)
  const row = await tx.usagePeriods.get(id)
  if (row) await tx.usagePeriods.update({ ...row, usedBytes: addBytes(row.usedBytes, bytes) })
  else await tx.usagePeriods.insert({ id, subscriberId, periodStartMs, usedBytes: bytes })
}

const DAY_MS = 86_400_000
/** A period is at most 31 days; DST can stretch its last day past a 24 h multiple. */
const MAX_DAYS = 32

/** Books `bytes` on the day of the period it was booked in (by the controller's clock). */
export function addToDay(
  daily: DailyUsage | undefined,
  periodStartMs: number,
  nowMs: number,
  bytes: number,
): DailyUsage {
  const days = daily?.periodStartMs === periodStartMs ? [...daily.bytes] : []
  const day = Math.min(MAX_DAYS - 1, Math.max(0, Math.floor((nowMs - periodStartMs) / DAY_MS)))
  while (days.length <= day) days.push(0)
  days[day] = addBytes(days[day]!, bytes)
  return { periodStartMs, bytes: days }
}

export function addBytes(a: number, b: number): number {
  const sum = a + b
  if (!Number.isSafeInteger(sum)) {
    throw new Refusal('usage_overflow', 'usage would exceed the largest byte count the controller keeps')
  }
  return sum
}
