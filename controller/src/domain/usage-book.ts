/** Booking usage into the period it was used in: the current one on the subscriber, older ones in usagePeriods. */

import { billingPeriod } from '@capd/protocol'
import {
  type Allowance,
  type DailyUsage,
  type RolloverBucket,
  type Subscriber,
  usagePeriodId,
} from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { type Bucket, periodBuckets } from './allowance-buckets.js'
import { draw, emptyAllowance, redraw } from './allowance-draw.js'
import { rolledOver, shrinkRollover } from './allowance-rollover.js'
import { drawOrderOf } from './allowance-settings.js'
import { allowanceOf } from './allowance-state.js'
import type { DomainEnv } from './env.js'
import { Refusal } from './refusal.js'
import { currentPeriod, type Period } from './usage-period.js'

/** What one subscriber's reading adds: its period, when it was read, and what it draws. */
export interface Reading {
  periodStartMs: number
  atMs: number
  /** Bytes that draw from the allowance (the plan's direction, outside free hours). */
  drawnBytes: number
  /** Bytes counted in the plan's direction inside free hours: shown, drawn from nothing. */
  freeBytes: number
}

/**
 * Moves usage of a finished period off the subscriber (into usagePeriods, with its draws), so it
 * starts the current one at 0 with the data that rolls over. A controller that was down across
 * one or more boundaries rolls through each from the books as they stood.
 */
export async function rollUsage(
  tx: Tx,
  sub: Subscriber,
  current: Period,
  timeZone: string,
): Promise<Subscriber> {
  if (sub.usagePeriodStartMs >= current.startMs) return sub
  const plan = await tx.plans.get(sub.planId)
  let rollover: RolloverBucket[] = []
  if (plan) {
    const topUps = await tx.topUps.forSubscriber(sub.id)
    const order = await drawOrderOf(tx, plan)
    const periodAfter = (p: Period) => billingPeriod(p.endMs, sub.billingDay, timeZone)
    let ended = billingPeriod(sub.usagePeriodStartMs, sub.billingDay, timeZone)
    // The usage kept on the subscriber is its own period's, whatever the billing day is now.
    if (ended.startMs !== sub.usagePeriodStartMs) ended = { ...ended, startMs: sub.usagePeriodStartMs }
    let { allowance, buckets } = allowanceOf(sub, plan, topUps, ended, order)
    await keepPeriod(tx, sub.id, ended.startMs, sub.usedBytes, allowance)
    for (let step = 0; ended.endMs <= current.startMs && step < MAX_CATCH_UP; step++) {
      rollover = rolledOver(plan, allowance, buckets, ended, periodAfter)
      ended = periodAfter(ended)
      allowance = emptyAllowance(ended.startMs, rollover)
      buckets = periodBuckets(plan, topUps, ended, rollover, order)
    }
    if (ended.startMs !== current.startMs) rollover = []
  } else if (sub.usedBytes > 0) {
    await addPastUsage(tx, sub.id, sub.usagePeriodStartMs, sub.usedBytes)
  }
  const rolled: Subscriber = {
    ...sub,
    usedBytes: 0,
    usagePeriodStartMs: current.startMs,
    allowance: emptyAllowance(current.startMs, rollover),
  }
  await tx.subscribers.update(rolled)
  return rolled
}

/** Rolls through at most this many periods at once (ten years of monthly periods). */
const MAX_CATCH_UP = 120

/**
 * Adds `bytes` to the period that starts at `periodStartMs`, read now. A period later than the
 * current one (an agent whose clock runs ahead) counts as the current one: the controller's clock
 * decides.
 */
export async function bookUsage(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  periodStartMs: number,
  bytes: number,
): Promise<Subscriber> {
  return bookReadings(tx, env, sub, [
    { periodStartMs, atMs: env.clock.now(), drawnBytes: bytes, freeBytes: 0 },
  ])
}

/**
 * Books one subscriber's readings in the order given (the agent's seq order): each draws from the
 * buckets valid when it was read (clamped to the current period and now). Readings of an ended
 * period are booked on its usagePeriods row, drawn from nothing, and shrink the rollover that
 * came from it.
 */
export async function bookReadings(
  tx: Tx,
  env: DomainEnv,
  sub: Subscriber,
  readings: readonly Reading[],
): Promise<Subscriber> {
  const nowMs = env.clock.now()
  const current = currentPeriod(sub, nowMs, env.timeZone)
  const rolled = await rollUsage(tx, sub, current, env.timeZone)
  const plan = await tx.plans.get(rolled.planId)
  const topUps = plan ? await tx.topUps.forSubscriber(rolled.id) : []
  const order = plan ? await drawOrderOf(tx, plan) : 'plan_first'
  const full = plan ? allowanceOf(rolled, plan, topUps, current, order) : undefined
  // Only buckets still valid now take usage: what an ended bucket took stays as it was, so the
  // enforced limit never moves with usage (see allowance-draw.ts).
  const open = (buckets: Bucket[]) => buckets.filter((b) => b.validUntilMs > nowMs)
  let state = full && { allowance: full.allowance, buckets: open(full.buckets) }
  let used = rolled.usedBytes
  let today = 0
  const late = new Map<number, number>()
  for (const r of readings) {
    if (r.periodStartMs < current.startMs) {
      late.set(r.periodStartMs, addBytes(late.get(r.periodStartMs) ?? 0, r.drawnBytes))
      continue
    }
    used = addBytes(used, r.drawnBytes)
    today = addBytes(today, r.drawnBytes)
    if (!state) continue
    const atMs = Math.min(nowMs, Math.max(current.startMs, r.atMs))
    const allowance = draw(state.allowance, state.buckets, r.drawnBytes, atMs)
    state = { ...state, allowance: { ...allowance, freeBytes: allowance.freeBytes + r.freeBytes } }
  }
  for (const [periodStartMs, bytes] of late) {
    await addPastUsage(tx, rolled.id, periodStartMs, bytes)
    if (state && plan) {
      const allowance = shrinkRollover(state.allowance, periodStartMs, bytes)
      const buckets = periodBuckets(plan, topUps, current, allowance.rollover, order)
      state = { allowance: redraw(allowance, buckets, nowMs), buckets: open(buckets) }
    }
  }
  const updated: Subscriber = {
    ...rolled,
    usedBytes: used,
    dailyUsage: addToDay(rolled.dailyUsage, current.startMs, nowMs, today),
    ...(state ? { allowance: state.allowance } : {}),
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
export async function reanchorUsage(
  tx: Tx,
  sub: Subscriber,
  from: Period,
  to: Period,
  timeZone: string,
): Promise<Subscriber> {
  const { dailyUsage, ...rest } = await rollUsage(tx, sub, from, timeZone)
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
    // The draws are made again from the usage that stays (see allowanceOf); rolled-over data stays.
    allowance: emptyAllowance(to.startMs, rest.allowance?.rollover ?? []),
    ...(days ? { dailyUsage: { periodStartMs: to.startMs, bytes: days } } : {}),
  }
}

/** Keeps an ended period's usage and draws on its usagePeriods row. */
async function keepPeriod(
  tx: Tx,
  subscriberId: string,
  periodStartMs: number,
  usedBytes: number,
  allowance: Allowance,
): Promise<void> {
  const id = usagePeriodId(subscriberId, periodStartMs)
  const row = await tx.usagePeriods.get(id)
  if (row) await tx.usagePeriods.update({ ...row, usedBytes: addBytes(row.usedBytes, usedBytes), allowance })
  else if (usedBytes > 0 || allowance.freeBytes > 0 || allowance.rollover.length > 0) {
    await tx.usagePeriods.insert({ id, subscriberId, periodStartMs, usedBytes, allowance })
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
