/**
 * Turns cumulative router counters into usage deltas. A delta is booked only within one counter
 * generation: the same counter object, the same router boot, values that did not go back, and a
 * jump no larger than the link could carry. Anything else starts a new generation: the baseline
 * moves to the new values and nothing is booked, so a wrap, reboot or re-created counter never
 * produces a bogus huge delta.
 */
import type { CounterReading, CounterSample } from './drivers/driver.js'

export interface Baseline {
  counterId: string
  bootId: string
  down: bigint
  up: bigint
  atMs: number
}

/**
 * The agent made the router create a subscriber's counters (at zero), recorded durably before the
 * change that creates them: the next counter seen for the subscriber, other than the one it
 * replaces, counts from zero since `atMs` instead of being a first sighting or a new generation.
 */
export interface CreatedCounter {
  atMs: number
  /** counterId of the subscriber's baseline when the creation was recorded (none: a first counter). */
  replaces?: string
}

export interface Delta {
  subscriberId: string
  down: bigint
  up: bigint
  /** The baseline after this delta. */
  baseline: Baseline
}

export interface DeltaResult {
  deltas: Delta[]
  /** Baselines that moved without usage (first sighting, new generation). */
  rebased: Map<string, Baseline>
  anomalies: string[]
}

export interface EngineOptions {
  /** Link speed bound in bytes per millisecond. */
  maxBytesPerMs: number
  /** Counters the agent itself created and has not yet taken a baseline of: they started at 0. */
  created: ReadonlyMap<string, CreatedCounter>
}

/** 10% slack over the line rate, in tenths to keep the bound exact. */
const SLACK_TENTHS = 11

export function computeDeltas(
  baselines: ReadonlyMap<string, Baseline>,
  reading: CounterReading,
  options: EngineOptions,
): DeltaResult {
  const result: DeltaResult = { deltas: [], rebased: new Map(), anomalies: [] }
  for (const sample of reading.samples) {
    const current = baselineOf(sample, reading)
    const known = baselines.get(sample.subscriberId)
    const base =
      createdBaseline(sample, reading, known, options) ?? sessionBaseline(sample, reading, known) ?? known
    if (!base) {
      result.rebased.set(sample.subscriberId, current)
      continue
    }
    const problem = generationBreak(base, sample, reading, options.maxBytesPerMs)
    if (problem) {
      result.anomalies.push(`${sample.subscriberId}: ${problem}; counting restarts from the new values`)
      result.rebased.set(sample.subscriberId, current)
      continue
    }
    const down = sample.down - base.down
    const up = sample.up - base.up
    if (down === 0n && up === 0n) {
      // A created counter still at zero: keep it as the baseline, or the next reading would be a
      // first sighting (or a new generation) and its bytes would never be booked.
      if (base !== known) result.rebased.set(sample.subscriberId, current)
      continue
    }
    result.deltas.push({ subscriberId: sample.subscriberId, down, up, baseline: current })
  }
  return result
}

function baselineOf(sample: CounterSample, reading: CounterReading): Baseline {
  return {
    counterId: sample.counterId,
    bootId: reading.bootId,
    down: sample.down,
    up: sample.up,
    // The earliest moment these values can be from: the next reading's `atMs` minus this is never
    // shorter than the real interval, however late either timestamp was taken.
    atMs: reading.startedAtMs ?? reading.atMs,
  }
}

/**
 * A counter the agent created counts from zero, so its whole value is usage: the subscriber's next
 * counter after the recorded creation, i.e. not the one it replaced, in place of that one.
 */
function createdBaseline(
  sample: CounterSample,
  reading: CounterReading,
  known: Baseline | undefined,
  options: EngineOptions,
): Baseline | undefined {
  const created = options.created.get(sample.subscriberId)
  if (!created || sample.counterId === created.replaces) return undefined
  if (known && known.counterId !== created.replaces) return undefined
  return { counterId: sample.counterId, bootId: reading.bootId, down: 0n, up: 0n, atMs: created.atMs }
}

/**
 * How much earlier than a session's reported start it may really have begun: RouterOS rounds
 * uptime down to the second, and the read takes a moment.
 */
const SESSION_START_SLACK_MS = 2000

/**
 * A session counter the router created at zero, following the subscriber's counter of the last
 * reading (a re-login, or a session after a reboot): counted from zero when it began after that
 * reading, so none of its bytes can have been booked. A first sighting stays a first sighting: a
 * session already running when capd first sees it may hold another period's bytes.
 */
function sessionBaseline(
  sample: CounterSample,
  reading: CounterReading,
  known: Baseline | undefined,
): Baseline | undefined {
  if (sample.zeroAtMs === undefined || !known) return undefined
  if (known.counterId === sample.counterId && known.bootId === reading.bootId) return undefined
  if (sample.zeroAtMs + SESSION_START_SLACK_MS < known.atMs) return undefined
  return { counterId: sample.counterId, bootId: reading.bootId, down: 0n, up: 0n, atMs: sample.zeroAtMs }
}

function generationBreak(
  base: Baseline,
  sample: CounterSample,
  reading: CounterReading,
  maxBytesPerMs: number,
): string | undefined {
  if (reading.bootId !== base.bootId) return 'the router rebooted'
  if (sample.counterId !== base.counterId)
    return `counter re-created (${base.counterId} → ${sample.counterId})`
  if (sample.down < base.down || sample.up < base.up) return 'counter went back'
  if (sample.accountingTotals) return undefined
  const elapsedMs = Math.max(1, reading.atMs - base.atMs)
  const bound = BigInt(Math.floor((maxBytesPerMs * elapsedMs * SLACK_TENTHS) / 10))
  const down = sample.down - base.down
  const up = sample.up - base.up
  if (down > bound || up > bound) {
    return `jump of ${down > up ? down : up} bytes in ${elapsedMs} ms is faster than the link`
  }
  return undefined
}
