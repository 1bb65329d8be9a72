/**
 * The accounting ledger: every RADIUS session's last totals and, per subscriber, a cumulative
 * counter that grows by what each of its sessions grew by. Sessions come, report and go between
 * polls; the counters only ever rise, so the usage engine reads them like any router counter.
 * Plain data, no I/O: it notes what changed (takeChange) and ledger-store.ts makes that durable.
 */
import { randomBytes } from 'node:crypto'
import type { RuleProblem } from '@capd/protocol'
import type { CounterSample, SubscriberRule } from '../driver.js'
import type { AccountingRecord } from './accounting-record.js'
import { type CounterData, type LedgerChange, LedgerFile, type SessionData } from './ledger-file.js'

/** Ended sessions are kept this long, so a retransmitted Stop or a late Interim finds them. */
export const ENDED_KEEP_MS = 24 * 3600_000
/** An open session nothing was heard of for this long is taken as ended (its NAS lost the Stop). */
export const SILENT_END_MS = 48 * 3600_000
/**
 * How far a session's start worked out from a late copy (arrival − Acct-Delay-Time −
 * Acct-Session-Time, in whole seconds, by a NAS that may count the delay loosely) may be off.
 */
export const FORGOTTEN_SLACK_MS = 10 * 60_000

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
  /** Keys changed since the last takeChange. */
  private readonly changedSessions = new Set<string>()
  private readonly changedCounters = new Set<string>()

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
    return Ledger.fromFile(LedgerFile.parse(JSON.parse(text)))
  }

  static fromFile(data: LedgerFile): Ledger {
    const ledger = new Ledger(data.generation, data.createdAtMs, data.forgottenStartMs, data.nextCounter)
    for (const [id, c] of Object.entries(data.counters)) ledger.putCounter(id, c)
    for (const [key, s] of Object.entries(data.sessions)) ledger.putSession(key, s)
    return ledger
  }

  /** The whole ledger, saying it holds every log record up to `logSeq`. */
  toJson(logSeq = 0): string {
    const data: LedgerFile = {
      v: 1,
      generation: this.generation,
      createdAtMs: this.createdAtMs,
      forgottenStartMs: this.forgottenStartMs,
      nextCounter: this.nextCounter,
      logSeq,
      counters: Object.fromEntries([...this.counters].map(([id, c]) => [id, counterData(c)])),
      sessions: Object.fromEntries([...this.sessions].map(([key, s]) => [key, sessionData(s)])),
    }
    return JSON.stringify(data)
  }

  /** What changed since the last call, as log record `seq`; the ledger then counts as unchanged. */
  takeChange(seq: number): LedgerChange {
    const change: LedgerChange = {
      g: this.generation,
      seq,
      forgottenStartMs: this.forgottenStartMs,
      nextCounter: this.nextCounter,
      counters: {},
      sessions: {},
    }
    for (const id of this.changedCounters) {
      const c = this.counters.get(id)
      change.counters[id] = c ? counterData(c) : null
    }
    for (const key of this.changedSessions) {
      const s = this.sessions.get(key)
      change.sessions[key] = s ? sessionData(s) : null
    }
    this.changedCounters.clear()
    this.changedSessions.clear()
    return change
  }

  /** A taken change that did not reach the disk: its keys count as changed again. */
  untake(change: LedgerChange): void {
    for (const id of Object.keys(change.counters)) this.changedCounters.add(id)
    for (const key of Object.keys(change.sessions)) this.changedSessions.add(key)
  }

  /** Applies a log record (replay). Throws if it belongs to another ledger. */
  applyChange(change: LedgerChange): void {
    if (change.g !== this.generation)
      throw new Error(`record ${change.seq} belongs to ledger ${change.g}, not ${this.generation}`)
    this.forgottenStartMs = change.forgottenStartMs
    this.nextCounter = change.nextCounter
    for (const [id, c] of Object.entries(change.counters)) {
      const old = this.counters.get(id)
      if (old && this.byLogin.get(old.login) === id) this.byLogin.delete(old.login)
      if (c) this.putCounter(id, c)
      else this.counters.delete(id)
    }
    for (const [key, s] of Object.entries(change.sessions)) {
      if (s) this.putSession(key, s)
      else this.sessions.delete(key)
    }
  }

  private putCounter(id: string, c: CounterData): void {
    this.counters.set(id, { ...c, down: BigInt(c.down), up: BigInt(c.up) })
    this.byLogin.set(c.login, id)
  }

  private putSession(key: string, s: SessionData): void {
    this.sessions.set(key, { ...s, down: BigInt(s.down), up: BigInt(s.up) })
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
    this.changedSessions.add(key)
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
    if (counter && (down > 0n || up > 0n)) {
      counter.down += down
      counter.up += up
      this.changedCounters.add(subscriberId!)
    }
  }

  /** Accounting-On/Off: the NAS lost its sessions; what they moved since their last report is lost with them. */
  private nasRestarted(nas: string, nowMs: number): void {
    for (const [key, session] of this.sessions) {
      if (session.nas !== nas || session.endedBy === 'stop' || session.endedBy === 'nas') continue
      session.endedMs = nowMs
      session.endedBy = 'nas'
      this.changedSessions.add(key)
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
    this.changedCounters.add(subscriberId)
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
    this.changedCounters.add(subscriberId)
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
        this.changedSessions.add(key)
        changed = true
      } else if (session.endedMs !== undefined && nowMs - session.endedMs > ENDED_KEEP_MS) {
        this.sessions.delete(key)
        this.changedSessions.add(key)
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

const counterData = (c: CounterState): CounterData => ({ ...c, down: String(c.down), up: String(c.up) })
const sessionData = (s: SessionState): SessionData => ({ ...s, down: String(s.down), up: String(s.up) })
