/**
 * Books counted usage (down/up as measured, drawn or not) into the per-day history, by each entry's
 * time clamped to now, in the ISP's zone. Called in the usage's own transaction, so the history
 * and the booked usage commit together.
 */
import type { Tx } from '../store/store.js'
import { type UsageDay, usageDayId } from '../store/usage-history-entities.js'
import type { DomainEnv } from './env.js'
import { HOUR_MS, type LocalDay, localDayAt } from './local-day.js'
import { addBytes } from './usage-book.js'

export interface CountedUsage {
  readonly subscriberId: string
  readonly down: number
  readonly up: number
  readonly atMs: number
}

interface DaySum {
  subscriberId: string
  local: LocalDay
  hourDown: number[]
  hourUp: number[]
}

export async function bookUsageHistory(
  tx: Tx,
  env: DomainEnv,
  entries: Iterable<CountedUsage>,
): Promise<void> {
  const sums = new Map<string, DaySum>()
  for (const { entry: e, atMs, local, id } of onTheirDays(env, entries)) {
    let sum = sums.get(id)
    if (!sum) {
      sum = { subscriberId: e.subscriberId, local, hourDown: zeros(local.hours), hourUp: zeros(local.hours) }
      sums.set(id, sum)
    }
    const hour = Math.floor((atMs - local.startMs) / HOUR_MS)
    sum.hourDown[hour] = addBytes(sum.hourDown[hour]!, e.down)
    sum.hourUp[hour] = addBytes(sum.hourUp[hour]!, e.up)
  }
  await tx.readAhead?.({ usageDays: [...sums.keys()] })
  for (const [id, sum] of sums) {
    const old = await tx.usageDays.get(id)
    const row = merged(id, sum, old)
    if (old) await tx.usageDays.update(row)
    else await tx.usageDays.insert(row)
  }
}

/** The ids of the day rows bookUsageHistory will read and write for these entries. */
export function usageDayIds(env: DomainEnv, entries: Iterable<CountedUsage>): string[] {
  const ids = new Set<string>()
  for (const { id } of onTheirDays(env, entries)) ids.add(id)
  return [...ids]
}

/** Each entry with traffic, at its time clamped to now, with its local day and that day's row id. */
function* onTheirDays(env: DomainEnv, entries: Iterable<CountedUsage>) {
  const nowMs = env.clock.now()
  let local: LocalDay | undefined
  for (const entry of entries) {
    if (entry.down === 0 && entry.up === 0) continue
    const atMs = Math.min(entry.atMs, nowMs)
    // Batches are mostly one day: reuse the last day found when it still holds the entry.
    if (!local || atMs < local.startMs || atMs >= local.endMs) local = localDayAt(atMs, env.timeZone)
    yield { entry, atMs, local, id: usageDayId(entry.subscriberId, local.day) }
  }
}

function merged(id: string, sum: DaySum, old: UsageDay | undefined): UsageDay {
  const down = sum.hourDown.reduce(addBytes, 0)
  const up = sum.hourUp.reduce(addBytes, 0)
  const base = {
    id,
    subscriberId: sum.subscriberId,
    day: sum.local.day,
    down: addBytes(old?.down ?? 0, down),
    up: addBytes(old?.up ?? 0, up),
  }
  // A day already folded into its month (late usage) starts a new row: the next fold adds it too.
  return {
    ...base,
    hourDown: addHours(old?.hourDown, sum.hourDown),
    hourUp: addHours(old?.hourUp, sum.hourUp),
  }
}

function addHours(old: readonly number[] | undefined, add: readonly number[]): number[] {
  return add.map((b, i) => addBytes(old?.[i] ?? 0, b))
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0)
}
