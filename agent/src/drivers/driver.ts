/** The one interface every router driver implements: read counters, apply the desired enforcement. */
import type { CountDirection, RuleProblem } from '@capd/protocol'

/** One subscriber's cumulative byte counters as the router holds them. */
export interface CounterSample {
  subscriberId: string
  /**
   * Identity of the counter object (nft handle, RouterOS queue .id, ifName + ifIndex). If it
   * changes, the router re-created the counter: the values restarted and no delta may span it.
   */
  counterId: string
  /** Bytes the subscriber received / sent since the counter was created. Never wraps below 2^64. */
  down: bigint
  up: bigint
  /**
   * The router's own quota for this subscriber is used up (it drops the packet that would cross
   * the cap, so the counters can stop a packet short of the limit).
   */
  quotaSpent?: boolean
  /**
   * The values are totals a NAS reported per session (RADIUS accounting), summed by the source and
   * never going back: one report may carry minutes of traffic at once, so a jump is usage however
   * fast it looks, and the link-speed bound does not apply.
   */
  accountingTotals?: boolean
  /**
   * The counter is a session's (PPPoE, hotspot), created by the router at zero at this moment
   * (agent clock, ms; up to a second after the real start, as RouterOS rounds uptime down). When it follows another counter of the same
   * subscriber and began after that one's last reading, its whole value is usage: a re-login loses
   * nothing it counted, and counts nothing twice.
   */
  zeroAtMs?: number
}

export interface CounterReading {
  /** When the counters were read (agent clock, ms). */
  atMs: number
  /** When the read began: the values are from no earlier (a delta's real interval ends by `atMs`). */
  startedAtMs?: number
  /** Identity of the router's boot; a new value means every counter restarted. */
  bootId: string
  samples: CounterSample[]
}

export type EnforcementState = 'open' | 'blocked' | 'throttled'

/** What the agent wants the router to do for one subscriber. */
export interface SubscriberRule {
  subscriberId: string
  /**
   * Canonical IPv4/IPv6 address or prefix. Absent: the subscriber is known by `login` and a driver
   * that can (RouterOS sessions, RADIUS accounting, nftables with a BRAS's sessions) learns its
   * current addresses; others skip it.
   */
  address?: string
  /** The subscriber's login, for drivers that find counters by name. */
  login?: string
  state: EnforcementState
  /** Download rate while throttled (and upload rate too unless `throttleUpKbps` is given). */
  throttleKbps?: number
  /** Upload rate while throttled. */
  throttleUpKbps?: number
  /**
   * Which of the subscriber's bytes `remainingBytes` is spent by: both directions (the default),
   * download only or upload only. Counters always count both; only the allowance is one-way.
   */
  count?: CountDirection
  /**
   * For plans that block at the cap: bytes still allowed, as of `reading`. A driver that can
   * count in the kernel installs it so that nothing passes the cap between polls.
   */
  remainingBytes?: bigint
}

/**
 * Called by `apply` with the subscribers whose counters it is about to create (at zero), before
 * the change that creates them; the agent records that durably. If it throws, nothing is applied.
 */
export type CountersCreating = (subscriberIds: readonly string[]) => Promise<void>

/** What an apply left out: rules skipped (each with why) while every other rule was applied. */
export interface ApplyReport {
  skipped: RuleProblem[]
  /** The apply stopped before changing anything, because `giveWay` said so: apply again later. */
  gaveWay?: true
}

export interface RouterDriver {
  readonly kind: string
  /** Creates what the driver owns if missing; never touches anything else on the router. */
  start(): Promise<void>
  /**
   * `signal`: a driver whose reading takes long (a listing of 10k subscribers) may stop it when the
   * signal aborts (a pushed top-up waits for the router) and reject with `signal.reason`, having
   * changed nothing. Ignoring it is always correct.
   */
  readCounters(signal?: AbortSignal): Promise<CounterReading>
  /**
   * Makes the router match `rules` exactly for the subscribers it owns: adds, changes and removes
   * only what differs. `reading` is the reading `remainingBytes` was computed from. A rule the
   * driver cannot apply (a bad or overlapping address) is skipped and reported, never allowed to
   * stop the others. A driver that creates the counters it reads calls `creating` first (a
   * counter it only enforces with, or that someone else made, is not reported).
   * `only`, when given, says only these subscribers' rules may differ from the last apply (a pushed
   * limit): a driver may then change only what is theirs. Ignoring it is always correct.
   * `giveWay`, on a whole apply: a driver that plans in slices (letting the event loop turn) asks it
   * between slices, and if it says true stops there, having changed nothing, and reports `gaveWay`
   * (a pushed top-up is waiting, and these rules are about to be out of date). Ignoring it is
   * always correct.
   */
  apply(
    rules: readonly SubscriberRule[],
    reading: CounterReading,
    creating?: CountersCreating,
    only?: ReadonlySet<string>,
    giveWay?: () => boolean,
  ): Promise<ApplyReport>
  close(): Promise<void>
}
