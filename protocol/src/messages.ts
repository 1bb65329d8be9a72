/** The agent ↔ controller WebSocket messages: one zod schema and one type per message, all at PROTOCOL_VERSION. */
import { z } from 'zod'
import { ByteCount } from './bytes.js'
import { CountDirection, FreeWindows } from './counted-bytes.js'
import { Problems } from './problems.js'
import { downUp, EpochMs, Id, IsoInstant } from './wire-fields.js'

export const PROTOCOL_VERSION = 1

const v = z.literal(PROTOCOL_VERSION, { error: `v must be ${PROTOCOL_VERSION}` })

/** The largest usage batch; keeps one message well under typical WebSocket frame limits. */
export const MAX_USAGE_ENTRIES = 1000

const Seq = z.number().int({ error: 'seq must be an integer' }).min(1, { error: 'seq must be at least 1' })
const LimitVersion = z
  .number()
  .int({ error: 'limitVersion must be an integer' })
  .nonnegative({ error: 'limitVersion must not be negative' })

/** What one subscriber may use this period, as the controller wants it enforced. Absolute, never a delta. */
export const SubscriberLimit = z
  .strictObject({
    subscriberId: Id,
    /**
     * The address or prefix the router knows the subscriber by. Absent: the subscriber is known by
     * `login` alone and the agent learns its current address from the router's sessions (PPPoE,
     * hotspot, RADIUS accounting); a driver that cannot skips the rule and says why.
     */
    address: z.string().min(1, { error: 'address must not be empty' }).max(255).optional(),
    /** The subscriber's login: counters found by name (a PPPoE interface `<pppoe-login>`) use it. */
    login: z.string().min(1).max(64).optional(),
    periodStart: IsoInstant,
    periodEnd: IsoInstant,
    limitBytes: ByteCount,
    usedBytes: ByteCount,
    limitVersion: LimitVersion,
    onCap: z.enum(['block', 'throttle']),
    /** Rate while throttled: download, and upload too unless `throttleUpKbps` is given. */
    throttleKbps: z.number().int({ error: 'throttleKbps must be an integer' }).positive().optional(),
    throttleUpKbps: z.number().int({ error: 'throttleUpKbps must be an integer' }).positive().optional(),
    /** Which direction draws from the allowance; absent = both. */
    count: CountDirection.optional(),
    /** Windows inside the period whose usage is counted but drawn from no allowance (free hours). */
    freeWindows: FreeWindows.optional(),
  })
  .refine((s) => s.address !== undefined || s.login !== undefined, {
    error: 'a subscriber without an address needs a login',
    path: ['address'],
  })
  .refine((s) => s.periodEnd > s.periodStart, {
    error: 'periodEnd must be after periodStart',
    path: ['periodEnd'],
  })
  .refine((s) => s.onCap !== 'throttle' || s.throttleKbps !== undefined, {
    error: 'throttleKbps is required when onCap is "throttle"',
    path: ['throttleKbps'],
  })
export type SubscriberLimit = z.infer<typeof SubscriberLimit>

/** First message on every connection: who the agent is and how far its journal has been acked. */
export const Hello = z.strictObject({
  v,
  type: z.literal('hello'),
  agentId: Id,
  epoch: Id,
  lastSeq: z.number().int().nonnegative(),
  agentVersion: z.string().min(1).max(64),
  driver: z.string().min(1).max(32),
})
export type Hello = z.infer<typeof Hello>

/**
 * The controller's full desired state for this agent; anything not listed is no longer managed.
 * Sent after hello, and again at any time (a subscriber moved to another agent).
 */
export const Sync = z.strictObject({
  v,
  type: z.literal('sync'),
  serverTimeMs: EpochMs,
  subscribers: z.array(SubscriberLimit),
  /** When present, the agent answers `synced` with it once it has applied this sync. */
  syncId: z.string().min(1).max(64).optional(),
})
export type Sync = z.infer<typeof Sync>

/** One journalled usage delta. `seq` orders entries within the agent's epoch. */
export const UsageEntry = z.strictObject({
  seq: Seq,
  subscriberId: Id,
  periodStart: IsoInstant,
  ...downUp(ByteCount).shape,
  atMs: EpochMs,
})
export type UsageEntry = z.infer<typeof UsageEntry>

export const Usage = z
  .strictObject({
    v,
    type: z.literal('usage'),
    epoch: Id,
    entries: z
      .array(UsageEntry)
      .min(1, { error: 'entries must not be empty' })
      .max(MAX_USAGE_ENTRIES, { error: `entries must hold at most ${MAX_USAGE_ENTRIES} items` }),
  })
  .superRefine((usage, ctx) => {
    // The controller commits the batch's last seq as the high-water mark, which is only sound in order.
    for (let i = 1; i < usage.entries.length; i++) {
      const previous = usage.entries[i - 1]!.seq
      const current = usage.entries[i]!.seq
      if (current <= previous) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i, 'seq'],
          message: `seq must be strictly increasing: entry ${i} has seq ${current} after ${previous}`,
        })
        return
      }
    }
  })
export type Usage = z.infer<typeof Usage>

/** The highest seq of `epoch` the controller has durably committed; the agent may drop entries up to it. */
export const Ack = z.strictObject({ v, type: z.literal('ack'), epoch: Id, seq: Seq })
export type Ack = z.infer<typeof Ack>

/** A push of changed limits. Each carries its limitVersion, so a stale or replayed push is ignored. */
export const Limits = z.strictObject({
  v,
  type: z.literal('limits'),
  subscribers: z.array(SubscriberLimit).min(1, { error: 'subscribers must not be empty' }),
})
export type Limits = z.infer<typeof Limits>

/** What the agent has applied at the router for one subscriber. */
export const SubscriberState = z.strictObject({
  subscriberId: Id,
  state: z.enum(['open', 'blocked', 'throttled']),
  limitVersion: LimitVersion,
  usedBytes: ByteCount,
})
export type SubscriberState = z.infer<typeof SubscriberState>

/** The largest state batch (an agent reports all its subscribers after each sync). */
export const MAX_STATE_ENTRIES = 1000

/** What the agent has applied at the router, for every subscriber whose state it reports now. */
export const State = z.strictObject({
  v,
  type: z.literal('state'),
  atMs: EpochMs,
  subscribers: z
    .array(SubscriberState)
    .min(1, { error: 'subscribers must not be empty' })
    .max(MAX_STATE_ENTRIES, { error: `subscribers must hold at most ${MAX_STATE_ENTRIES} items` }),
})
export type State = z.infer<typeof State>

/**
 * The agent applied the sync `syncId`: every subscriber it left out was dropped, and no entry for one
 * of them has a seq above `journalSeq` (the agent's highest seq then, in the epoch of its hello).
 */
export const Synced = z.strictObject({
  v,
  type: z.literal('synced'),
  syncId: z.string().min(1).max(64),
  journalSeq: z.number().int().nonnegative(),
})
export type Synced = z.infer<typeof Synced>

export const ErrorMessage = z.strictObject({
  v,
  type: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(1000),
})
export type ErrorMessage = z.infer<typeof ErrorMessage>

export const AgentMessage = z.discriminatedUnion('type', [
  Hello,
  Usage,
  State,
  Problems,
  Synced,
  ErrorMessage,
])
export type AgentMessage = z.infer<typeof AgentMessage>

export const ControllerMessage = z.discriminatedUnion('type', [Sync, Ack, Limits, ErrorMessage])
export type ControllerMessage = z.infer<typeof ControllerMessage>
