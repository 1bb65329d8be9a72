/**
 * Drawing usage from a period's buckets (pure). Usage read at t takes from the buckets valid at t
 * in order; what none can take is over-usage. The limit the agent enforces is one absolute number
 * that moves only with discrete events (a top-up, an expiry, a rollover, a new period), never with
 * usage: Σ size of the buckets valid now + Σ used of every other bucket + forgiven over-usage. So
 * limit − used = Σ left of the valid buckets − (over-usage not forgiven).
 */
import type { Allowance, RolloverBucket } from '../store/entities.js'
import { type Bucket, validAt } from './allowance-buckets.js'

export function emptyAllowance(periodStartMs: number, rollover: readonly RolloverBucket[] = []): Allowance {
  return { periodStartMs, drawn: {}, rollover, overBytes: 0, forgivenBytes: 0, freeBytes: 0 }
}

export const drawnFrom = (a: Allowance, id: string) => a.drawn[id] ?? 0

/** Σ drawn + over: the usage this allowance accounts for (the subscriber's usedBytes). */
export function bookedBytes(a: Allowance): number {
  let sum = a.overBytes
  for (const n of Object.values(a.drawn)) sum += n
  return sum
}

/**
 * Draws `bytes` read at `atMs` from the buckets valid then, in order; `atMs` undefined takes from
 * every bucket whatever its validity (usage booked before the buckets were kept, as if at once).
 */
export function draw(
  a: Allowance,
  buckets: readonly Bucket[],
  bytes: number,
  atMs: number | undefined,
): Allowance {
  if (bytes <= 0) return a
  let rest = bytes
  const drawn: Record<string, number> = { ...a.drawn }
  for (const b of buckets) {
    if (atMs !== undefined && !validAt(b, atMs)) continue
    const take = Math.min(rest, b.sizeBytes - (drawn[b.id] ?? 0))
    if (take <= 0) continue
    drawn[b.id] = (drawn[b.id] ?? 0) + take
    rest -= take
    if (rest === 0) break
  }
  return { ...a, drawn, overBytes: a.overBytes + rest }
}

/** Over-usage no top-up compensated or forgave: it keeps the subscriber past the limit. */
export const unforgivenBytes = (a: Allowance) => Math.max(0, a.overBytes - a.forgivenBytes)

/** A new top-up takes the over-usage of the moment, up to its size. */
export function compensate(a: Allowance, topUp: Bucket): Allowance {
  const take = Math.min(unforgivenBytes(a), topUp.sizeBytes - drawnFrom(a, topUp.id))
  if (take <= 0) return a
  return {
    ...a,
    drawn: { ...a.drawn, [topUp.id]: drawnFrom(a, topUp.id) + take },
    overBytes: a.overBytes - take,
  }
}

/** The over-usage of the moment is forgiven: a new top-up starts whole. */
export function forgive(a: Allowance): Allowance {
  return unforgivenBytes(a) > 0 ? { ...a, forgivenBytes: a.overBytes } : a
}

/**
 * Puts right draws that no longer fit (a reversed top-up, a rollover bucket that shrank): bytes
 * drawn from a bucket that is gone, or past a bucket's size, are drawn again at `atMs` from the
 * others in order, or become over-usage.
 */
export function redraw(a: Allowance, buckets: readonly Bucket[], atMs: number): Allowance {
  const sizes = new Map(buckets.map((b) => [b.id, b.sizeBytes]))
  const drawn: Record<string, number> = {}
  let loose = 0
  for (const [id, n] of Object.entries(a.drawn)) {
    const keep = Math.min(n, sizes.get(id) ?? 0)
    if (keep > 0) drawn[id] = keep
    loose += n - keep
  }
  return loose === 0 ? a : draw({ ...a, drawn }, buckets, loose, atMs)
}

/** The absolute limit the agent enforces now (see the module comment). */
export function enforcedLimit(a: Allowance, buckets: readonly Bucket[], nowMs: number): number {
  const valid = new Set<string>()
  let limit = a.forgivenBytes
  for (const b of buckets) {
    if (!validAt(b, nowMs)) continue
    valid.add(b.id)
    limit += b.sizeBytes
  }
  for (const [id, n] of Object.entries(a.drawn)) if (!valid.has(id)) limit += n
  return limit
}

/** Σ left of the buckets valid now. */
export function leftBytes(a: Allowance, buckets: readonly Bucket[], nowMs: number): number {
  let left = 0
  for (const b of buckets) if (validAt(b, nowMs)) left += Math.max(0, b.sizeBytes - drawnFrom(a, b.id))
  return left
}

/** When the limit changes next by time alone: the soonest end of a bucket valid now. */
export function nextExpiryMs(buckets: readonly Bucket[], nowMs: number): number {
  let next = Number.POSITIVE_INFINITY
  for (const b of buckets) if (validAt(b, nowMs)) next = Math.min(next, b.validUntilMs)
  return next
}
