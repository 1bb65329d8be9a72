/**
 * Property tests of bucket drawing: random sequences of usage (read now or a while ago), top-ups
 * with their own validity (compensating or forgiving over-usage), reversals, expiries, late usage
 * of the ended period and period boundaries with rollover, run through the bucket modules and
 * through a byte-by-byte reference model written here, in both draw orders.
 */
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { Allowance, DrawOrder, Plan, RolloverRule, TopUp } from '../store/entities.js'
import { type Bucket, periodBuckets, validAt } from './allowance-buckets.js'
import {
  bookedBytes,
  compensate,
  draw,
  emptyAllowance,
  enforcedLimit,
  forgive,
  leftBytes,
  redraw,
  unforgivenBytes,
} from './allowance-draw.js'
import { rolledOver, shrinkRollover } from './allowance-rollover.js'
import type { Period } from './usage.js'

/** Every period is this long in the model (the modules do not care how long a period is). */
const L = 1000
const periodAfter = (p: Period): Period => ({ startMs: p.endMs, endMs: p.endMs + L })

/** The reference: each bucket with what it holds, drawn one byte at a time. */
interface RefBucket {
  id: string
  kind: 'plan' | 'topup' | 'rollover'
  size: number
  from: number
  until: number
  used: number
  /** Rollover only: the unused data it came from, before the cap. */
  unused?: number
  fromPeriod?: number
  createdAt?: number
  gone: boolean
}

class Reference {
  buckets: RefBucket[] = []
  over = 0
  forgiven = 0
  constructor(
    readonly order: DrawOrder,
    readonly plan: Plan,
  ) {}

  private rank(b: RefBucket): number {
    if (b.kind === 'rollover') return 0
    const planFirst = this.order === 'plan_first'
    return b.kind === 'plan' ? (planFirst ? 1 : 2) : planFirst ? 2 : 1
  }

  ordered(): RefBucket[] {
    return this.buckets
      .filter((b) => !b.gone)
      .sort(
        (a, b) =>
          this.rank(a) - this.rank(b) ||
          a.until - b.until ||
          (a.fromPeriod ?? 0) - (b.fromPeriod ?? 0) ||
          (a.createdAt ?? 0) - (b.createdAt ?? 0) ||
          (a.id < b.id ? -1 : 1),
      )
  }

  /** One byte at a time into the first bucket valid at `at`, still open `now`, with room. */
  use(bytes: number, at: number, now: number): void {
    for (let i = 0; i < bytes; i++) {
      const b = this.ordered().find((x) => x.from <= at && at < x.until && now < x.until && x.used < x.size)
      if (b) b.used++
      else this.over++
    }
  }

  topUp(b: RefBucket, compensateOver: boolean): void {
    this.buckets.push(b)
    if (compensateOver) {
      const take = Math.min(Math.max(0, this.over - this.forgiven), b.size)
      b.used += take
      this.over -= take
    } else if (this.over > this.forgiven) this.forgiven = this.over
  }

  reverse(id: string, now: number): void {
    const b = this.buckets.find((x) => x.id === id)!
    b.gone = true
    const loose = b.used
    b.used = 0
    this.use(loose, now, now)
  }

  late(fromPeriod: number, bytes: number, now: number): void {
    const b = this.buckets.find((x) => x.kind === 'rollover' && x.fromPeriod === fromPeriod)
    if (!b) return
    b.unused = Math.max(0, (b.unused ?? b.size) - bytes)
    b.size = Math.min(b.size, b.unused)
    if (b.used > b.size) {
      const loose = b.used - b.size
      b.used = b.size
      this.use(loose, now, now)
    }
  }

  /** The next period's rollover buckets, as the rule says. */
  rollover(ended: Period, rule: RolloverRule | undefined): RefBucket[] {
    let room = rule?.maxBytes ?? this.plan.capBytes
    const next: RefBucket[] = []
    const carried = this.ordered().filter((b) => b.kind === 'rollover' && b.until > ended.endMs)
    for (const b of carried) {
      const size = Math.min(room, b.size - b.used)
      if (size <= 0) continue
      next.push({ ...b, size, used: 0, unused: undefined, from: ended.endMs })
      room -= size
    }
    if (!rule) return next
    let unused = 0
    for (const b of this.ordered()) {
      if (b.kind === 'plan' && rule.plan) unused += b.size - b.used
      if (b.kind === 'topup' && rule.topUps && b.until >= ended.endMs) unused += b.size - b.used
    }
    const size = Math.min(room, unused)
    if (size > 0) {
      next.push({
        id: `ro-${ended.startMs}`,
        kind: 'rollover',
        size,
        from: ended.endMs,
        until: ended.endMs + Math.max(1, rule.periods) * L,
        used: 0,
        ...(unused > size ? { unused } : {}),
        fromPeriod: ended.startMs,
        gone: false,
      })
    }
    return next
  }
}

function scenario(seed: number, order: DrawOrder): string[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[random.int(0, items.length - 1)]!
  const rule: RolloverRule | undefined =
    random.next() < 0.25
      ? undefined
      : {
          plan: random.next() < 0.8,
          topUps: random.next() < 0.6,
          periods: random.int(1, 3),
          ...(random.next() < 0.5 ? { maxBytes: random.int(0, 60) } : {}),
        }
  const plan = {
    id: 'plan_1',
    name: 'P',
    capBytes: random.int(0, 40),
    onCap: 'block',
    createdAtMs: 0,
    ...(rule ? { rollover: rule } : {}),
  } as Plan
  const trail: string[] = []
  let period: Period = { startMs: 0, endMs: L }
  let now = 0
  let allowance: Allowance = emptyAllowance(0)
  let topUps: TopUp[] = []
  const ref = new Reference(order, plan)
  ref.buckets.push({ id: 'plan', kind: 'plan', size: plan.capBytes, from: 0, until: L, used: 0, gone: false })
  let counted = 0
  /** What an ended bucket had taken when it ended: it must never change afterwards. */
  const frozen = new Map<string, number>()
  const buckets = (): Bucket[] => periodBuckets(plan, topUps, period, allowance.rollover, order)

  const check = () => {
    const at = `seed ${seed} ${order} after ${trail.slice(-4).join(' → ')}`
    const bs = buckets()
    for (const b of bs) {
      const n = allowance.drawn[b.id] ?? 0
      expect(n, `${at}: ${b.id} negative`).toBeGreaterThanOrEqual(0)
      expect(n, `${at}: ${b.id} over its size`).toBeLessThanOrEqual(b.sizeBytes)
      if (!validAt(b, now)) {
        if (!frozen.has(b.id)) frozen.set(b.id, n)
        expect(n, `${at}: ended ${b.id} changed`).toBe(frozen.get(b.id))
      }
    }
    const model = Object.fromEntries(ref.ordered().map((b) => [b.id, b.used]))
    const engine = Object.fromEntries(bs.map((b) => [b.id, allowance.drawn[b.id] ?? 0]))
    expect(engine, `${at}: draws`).toEqual(model)
    expect(
      bs.map((b) => [b.id, b.sizeBytes]),
      `${at}: buckets`,
    ).toEqual(ref.ordered().map((b) => [b.id, b.size]))
    expect([allowance.overBytes, allowance.forgivenBytes], `${at}: over, forgiven`).toEqual([
      ref.over,
      ref.forgiven,
    ])
    expect(bookedBytes(allowance), `${at}: Σ drawn + over = usage counted`).toBe(counted)
    const limit = enforcedLimit(allowance, bs, now)
    expect(limit - counted, `${at}: limit − used`).toBe(
      leftBytes(allowance, bs, now) - unforgivenBytes(allowance),
    )
    return limit
  }

  for (let step = 0; step < 60; step++) {
    const kind = pick(['usage', 'usage', 'usage', 'topup', 'time', 'reverse', 'late', 'time'])
    if (kind === 'time') {
      now = Math.min(now + random.int(1, 400), period.endMs)
      if (now === period.endMs) {
        // The period ends: its unused data rolls over (the reference decides on its own books).
        trail.push('boundary')
        const next = ref.rollover(period, rule)
        const rolled = rolledOver(plan, allowance, buckets(), period, periodAfter)
        expect(
          rolled.map((r) => [r.id, r.sizeBytes, r.expiresAtMs]),
          `seed ${seed} ${order}: rollover`,
        ).toEqual(next.map((b) => [b.id, b.size, b.until]))
        period = periodAfter(period)
        allowance = emptyAllowance(period.startMs, rolled)
        topUps = []
        frozen.clear()
        counted = 0
        ref.buckets = [
          ...next,
          {
            id: 'plan',
            kind: 'plan',
            size: plan.capBytes,
            from: period.startMs,
            until: period.endMs,
            used: 0,
            gone: false,
          },
        ]
        ref.over = 0
        ref.forgiven = 0
      } else trail.push(`time ${now}`)
    } else if (kind === 'usage') {
      const bytes = random.int(0, 25)
      // Read a while ago, booked now (an agent's report in flight), never before the period.
      const at = Math.max(period.startMs, now - pick([0, 0, random.int(0, 300)]))
      trail.push(`usage ${bytes}@${at}`)
      const before = enforcedLimit(allowance, buckets(), now)
      const open = buckets().filter((b) => b.validUntilMs > now)
      allowance = draw(allowance, open, bytes, at)
      ref.use(bytes, at, now)
      counted += bytes
      expect(check(), `seed ${seed} ${order}: usage moved the limit`).toBe(before)
      continue
    } else if (kind === 'topup') {
      const size = random.int(1, 30)
      const expiresAtMs = Math.min(period.endMs, now + pick([L, random.int(1, 500)]))
      const compensateOver = random.next() < 0.6
      const id = `top_${step}`
      trail.push(`topup ${id} ${size} until ${expiresAtMs}${compensateOver ? '' : ' forgiving'}`)
      topUps.push({ id, bytes: size, createdAtMs: now, expiresAtMs, periodStartMs: period.startMs } as TopUp)
      const bucket = buckets().find((b) => b.id === id)!
      allowance = compensateOver ? compensate(allowance, bucket) : forgive(allowance)
      ref.topUp(
        { id, kind: 'topup', size, from: now, until: expiresAtMs, used: 0, createdAt: now, gone: false },
        compensateOver,
      )
    } else if (kind === 'reverse') {
      const live = topUps.filter((t) => t.reversedAtMs === undefined && t.expiresAtMs > now)
      if (live.length === 0) continue
      const victim = pick(live)
      trail.push(`reverse ${victim.id}`)
      topUps = topUps.map((t) => (t === victim ? { ...t, reversedAtMs: now } : t))
      allowance = redraw(allowance, buckets(), now)
      ref.reverse(victim.id, now)
    } else if (kind === 'late') {
      if (period.startMs === 0) continue
      const bytes = random.int(0, 30)
      const from = period.startMs - L
      trail.push(`late ${bytes} of ${from}`)
      allowance = shrinkRollover(allowance, from, bytes)
      allowance = redraw(allowance, buckets(), now)
      ref.late(from, bytes, now)
    }
    check()
  }
  return trail
}

describe('bucket drawing against a byte-by-byte reference', () => {
  const base = Number(process.env.CAPD_SEED ?? Date.now() % 1_000_000)
  it.each(['plan_first', 'topups_first'] as const)(
    '%s: 150 random periods-long sequences agree, never overdraw, keep what expired buckets took',
    (order) => {
      console.info(`bucket drawing ${order}: seeds ${base}..${base + 149} (CAPD_SEED=${base} to replay)`)
      const seen = new Set<string>()
      for (let i = 0; i < 150; i++)
        for (const step of scenario(base + i, order)) seen.add(step.split(' ')[0]!)
      // The sequences reached every kind of event.
      expect([...seen].sort()).toEqual(['boundary', 'late', 'reverse', 'time', 'topup', 'usage'])
    },
  )
})
