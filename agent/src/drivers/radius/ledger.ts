/**
 * The accounting ledger: every RADIUS session's last totals and, per subscriber, a cumulative
 * counter that grows by what each of its sessions grew by. Sessions come, report and go between
 * polls; the counters only ever rise, so the usage engine reads them like any router counter.
 * Plain data, no I/O: ledger-store.ts makes it durable.
 */
import { randomBytes } from 'node:crypto'
import type { RuleProblem } from '@capd/protocol'
import { z } from 'zod'
import type { CounterSample, SubscriberRule } from '../driver.js'
import type { AccountingRecord } from './accounting-record.js'

/** Ended sessions are kept this long, so a retransmitted Stop or a late Interim finds them. */
export const ENDED_KEEP_MS = 24 * 3600_000
/** An open session nothing was heard of for this long is taken as ended (its NAS lost the Stop). */
export const SILENT_END_MS = 48 * 3600_000
/**
 * How far a session's start worked out from a late copy (arrival − Acct-Delay-Time −
 * Acct-Session-Time, in whole seconds, by a NAS that may count the delay loosely) may be off.
 */
export const FORGOTTEN_SLACK_MS = 10 * 60_000

const Digits = z.string().regex(/^\d{1,20}$/)
const Session = z.strictObject({
  login: z.string(),
  nas: z.string(),
  down: Digits,
  up: Digits,
  startMs: z.number(),
  seenMs: z.number(),
  address: z.string().optional(),
  endedMs: z.number().optional(),
  /** `nas`: ended by the NAS's Accounting-On/Off, after which it may reuse the session id. */
  endedBy: z.enum(['stop', 'nas', 'silence']).optional(),
})
const Counter = z.strictObject({ id: z.string(), login: z.string(), down: Digits, up: Digits })
const LedgerFile = z.strictObject({
  v: z.literal(1),
  generation: z.string().min(1),
  createdAtMs: z.number(),
  forgottenStartMs: z.number(),
  nextCounter: z.number().int().nonnegative(),
  counters: z.record(z.string(), Counter),
  sessions: z.record(z.string(), Session),
})
type LedgerFile = z.infer<typeof LedgerFile>

interface SessionState {
  login: string
  nas: string
  down: bigint
  up: bigint
  startMs: number
  seenMs: number
  address?: string
  endedMs?: number
  endedBy?: 'stop' | 'nas' | 'silence'
}

interface CounterState {
  id: string
  login: string
  down: bigint
  up: bigint
}

/** An open session as a CoA names it: `nas` is the ledger's NAS key (see accounting-server.ts nasKey). */
export interface OpenSession {
  key: string
  nas: string
  sessionId: string
  login: string
  address?: string
}

export interface CounterPlan {
  /** Subscribers whose counter (for their current login) is about to be created at zero. */
  create: { subscriberId: string; login: string }[]
  /** Subscribers no longer wanted, or whose login changed (their old counter goes). */
  remove: string[]
  skipped: RuleProblem[]
}

export class Ledger {
  private readonly counters = new Map<string, CounterState>()
  private readonly sessions = new Map<string, SessionState>()
  /** login → subscriberId of the counter that login's sessions add to. */
  private readonly byLogin = new Map<string, string>()

  private constructor(
    /** Identity of this ledger: a new one (state lost) is a new counter generation for every subscriber. */
    readonly generation: string,
    /**
     * A session first heard of mid-way (its Start lost or still on the way) counts from its first
     * byte only if it began after the ledger was created and (with some slack) after every session
     * the ledger has forgotten began: otherwise its bytes so far may have been counted already, by
     * this ledger or one before it, and only what it moves from then on is counted.
     */
    private readonly createdAtMs: number,
    private forgottenStartMs: number,
    private nextCounter: number,
  ) {}

  static fresh(nowMs: number): Ledger {
    return new Ledger(randomBytes(6).toString('hex'), nowMs, 0, 1)
  }

  /** Throws saying what is wrong with a damaged file. */
  static fromJson(text: string): Ledger {
    const data = LedgerFile.parse(JSON.parse(text))
    const ledger = new Ledger(data.generation, data.createdAtMs, data.forgottenStartMs, data.nextCounter)
    for (const [id, c] of Object.entries(data.counters)) {
      ledger.counters.set(id, { ...c, down: BigInt(c.down), up: BigInt(c.up) })
      ledger.byLogin.set(c.login, id)
    }
    for (const [key, s] of Object.entries(data.sessions)) {
      ledger.sessions.set(key, { ...s, down: BigInt(s.down), up: BigInt(s.up) })
    }
    return ledger
  }

  toJson(): string {
    const data: LedgerFile = {
      v: 1,
      generation: this.generation,
      createdAtMs: this.createdAtMs,
      forgottenStartMs: this.forgottenStartMs,
      nextCounter: this.nextCounter,
      counters: Object.fromEntries(
        [...this.counters].map(([id, c]) => [id, { ...c, down: String(c.down), up: String(c.up) }]),
      ),
      sessions: Object.fromEntries(
        [...this.sessions].map(([key, s]) => [key, { ...s, down: String(s.down), up: String(s.up) }]),
      ),
    }
    return JSON.stringify(data)
  }

  /**
   * Takes one Accounting-Request from `nas`. Idempotent: a session's totals are the largest it
   * reported, so a duplicate, a retransmission or an older Interim arriving late adds nothing.
   */
  record(record: AccountingRecord, nas: string, nowMs: number): void {
    if (record.status === 'nasOn' || record.status === 'nasOff') {
      this.nasRestarted(nas, nowMs)
      return
    }
    if (record.status === 'other' || !record.sessionId) return
    const key = `${nas}\u0000${record.sessionId}`
    const heardAtMs = nowMs - record.delayS * 1000
    let session = this.sessions.get(key)
    // After a NAS restart its session ids may come again: a Start then is a new session.
    if (session?.endedBy === 'nas' && record.status === 'start') session = undefined
    if (!session) {
      const startMs = heardAtMs - (record.sessionTimeS ?? 0) * 1000
      const fromZero =
        record.status === 'start' ||
        (record.sessionTimeS !== undefined &&
          startMs > this.createdAtMs &&
          startMs > this.forgottenStartMs + FORGOTTEN_SLACK_MS)
      session = {
        login: record.userName ?? '',
        nas,
        down: fromZero ? 0n : record.down,
        up: fromZero ? 0n : record.up,
        startMs,
        seenMs: nowMs,
      }
      this.sessions.set(key, session)
    }
    if (!session.login && record.userName) session.login = record.userName
    const down = record.down > session.down ? record.down - session.down : 0n
    const up = record.up > session.up ? record.up - session.up : 0n
    session.down += down
    session.up += up
    session.seenMs = nowMs
    if (record.framedIp) session.address = record.framedIp
    if (record.status === 'stop' && session.endedBy !== 'stop') {
      session.endedMs = nowMs
      session.endedBy = 'stop'
    }
    const subscriberId = this.byLogin.get(session.login)
    const counter = subscriberId === undefined ? undefined : this.counters.get(subscriberId)
    if (counter) {
      counter.down += down
      counter.up += up
    }
  }

  /** Accounting-On/Off: the NAS lost its sessions; what they moved since their last report is lost with them. */
  private nasRestarted(nas: string, nowMs: number): void {
    for (const session of this.sessions.values()) {
      if (session.nas !== nas || session.endedBy === 'stop' || session.endedBy === 'nas') continue
      session.endedMs = nowMs
      session.endedBy = 'nas'
    }
  }

  /** Which counters `rules` want that differ from the ones held (by login; one login, one subscriber). */
  plan(rules: readonly SubscriberRule[]): CounterPlan {
    const plan: CounterPlan = { create: [], remove: [], skipped: [] }
    const wanted = new Map<string, string>()
    const owner = new Map<string, string>()
    for (const rule of rules) {
      const { subscriberId, login } = rule
      if (!login) {
        plan.skipped.push({
          subscriberId,
          code: 'no_login',
          message: 'has no login: RADIUS accounting finds its sessions by User-Name',
        })
        continue
      }
      const other = owner.get(login)
      if (other !== undefined) {
        plan.skipped.push({
          subscriberId,
          code: 'login_taken',
          message: `login "${login}" is also ${other}'s: its RADIUS sessions count for ${other}`,
        })
        continue
      }
      owner.set(login, subscriberId)
      wanted.set(subscriberId, login)
    }
    for (const [subscriberId, counter] of this.counters) {
      if (wanted.get(subscriberId) !== counter.login) plan.remove.push(subscriberId)
    }
    for (const [subscriberId, login] of wanted) {
      if (this.counters.get(subscriberId)?.login !== login) plan.create.push({ subscriberId, login })
    }
    return plan
  }

  removeCounter(subscriberId: string): void {
    const counter = this.counters.get(subscriberId)
    if (!counter) return
    this.counters.delete(subscriberId)
    if (this.byLogin.get(counter.login) === subscriberId) this.byLogin.delete(counter.login)
  }

  /** A counter at zero: the subscriber's sessions add what they move from now on. */
  createCounter(subscriberId: string, login: string): void {
    this.removeCounter(subscriberId)
    const holder = this.byLogin.get(login)
    if (holder !== undefined) this.removeCounter(holder)
    this.counters.set(subscriberId, {
      id: `${this.generation}:${this.nextCounter++}`,
      login,
      down: 0n,
      up: 0n,
    })
    this.byLogin.set(login, subscriberId)
  }

  samples(): CounterSample[] {
    return [...this.counters].map(([subscriberId, c]) => ({
      subscriberId,
      counterId: c.id,
      down: c.down,
      up: c.up,
      accountingTotals: true,
    }))
  }

  /** Framed addresses of each subscriber's open sessions (newest report last). */
  addresses(): Map<string, string[]> {
    const result = new Map<string, string[]>()
    const open = [...this.sessions.values()].filter((s) => s.endedMs === undefined && s.address)
    open.sort((a, b) => a.seenMs - b.seenMs)
    for (const session of open) {
      const subscriberId = this.byLogin.get(session.login)
      if (subscriberId === undefined) continue
      const list = result.get(subscriberId) ?? []
      if (!list.includes(session.address!)) list.push(session.address!)
      result.set(subscriberId, list)
    }
    return result
  }

  /** Each subscriber's open sessions: what a CoA names them by. */
  openSessions(): Map<string, OpenSession[]> {
    const result = new Map<string, OpenSession[]>()
    for (const [key, session] of this.sessions) {
      if (session.endedMs !== undefined) continue
      const subscriberId = this.byLogin.get(session.login)
      if (subscriberId === undefined) continue
      const sessionId = key.slice(key.indexOf('\u0000') + 1)
      const open: OpenSession = { key, nas: session.nas, sessionId, login: session.login }
      if (session.address) open.address = session.address
      result.set(subscriberId, [...(result.get(subscriberId) ?? []), open])
    }
    return result
  }

  /** Forgets sessions ended long ago, remembering the latest start among them so none counts twice. */
  prune(nowMs: number): boolean {
    let changed = false
    for (const [key, session] of this.sessions) {
      if (session.endedMs === undefined && nowMs - session.seenMs > SILENT_END_MS) {
        session.endedMs = nowMs
        session.endedBy = 'silence'
        changed = true
      } else if (session.endedMs !== undefined && nowMs - session.endedMs > ENDED_KEEP_MS) {
        this.sessions.delete(key)
        this.forgottenStartMs = Math.max(this.forgottenStartMs, session.startMs)
        changed = true
      }
    }
    return changed
  }

  get sessionCount(): number {
    return this.sessions.size
  }
}
