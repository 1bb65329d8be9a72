/**
 * RADIUS CoA/Disconnect as the enforcer for RADIUS accounting (RFC 5176): each open session of a
 * capped subscriber gets a CoA-Request with the configured attributes (or a Disconnect-Request),
 * each session back to open gets the restoring CoA, and a session that begins while its subscriber
 * is capped (a re-login) gets it too. apply() only records what is wanted and returns at once: the
 * requests go out per NAS, a few at a time, each session with at most one request in flight and
 * retried with jittered backoff until the NAS ACKs, so a NAS that never answers delays no other.
 *
 * What each session was last ACKed is kept in memory. Sessions found open when the agent starts
 * are of unknown state: they get the CoA their subscriber's state calls for, the restoring one
 * included (a top-up while the agent was down still reaches them), except a restoring Disconnect.
 */
import type { Logger } from '@capd/log'
import type { RuleProblem } from '@capd/protocol'
import type { CounterReading, RouterDriver, SubscriberRule } from '../driver.js'
import { nasOfKey } from './accounting-server.js'
import { type ClientMatcher, clientMatcher } from './clients.js'
import {
  type AttributeSpec,
  encodeAttribute,
  errorCauseText,
  identityAttributes,
  SESSION_CONTEXT_NOT_FOUND,
} from './coa-attributes.js'
import { type CoaClient, type CoaDestination, type CoaOutcome, createCoaClient } from './coa-client.js'
import type { OpenSession } from './ledger.js'

export type CoaAction = { mode: 'coa'; attributes: AttributeSpec[] } | { mode: 'disconnect' }

export interface CoaNas {
  /** The NAS by NAS-IP-Address (or the address its accounting came from): address or prefix. */
  address: string
  /** Where CoA goes; default the session's NAS address. */
  coaAddress?: string | undefined
  port: number
  secret: string
  name?: string | undefined
}

export interface SessionSource {
  openSessions(): ReadonlyMap<string, readonly OpenSession[]>
  onSessions(listener: () => void): void
}

export interface CoaEnforcerOptions {
  sessions: SessionSource
  nas: readonly CoaNas[]
  blocked: CoaAction
  throttled: CoaAction
  restored: CoaAction
  /** How long one request waits for its answer. */
  timeoutMs?: number
  retryMinMs?: number
  retryMaxMs?: number
  /** Requests waiting for an answer from one NAS at a time. */
  inFlightPerNas?: number
  log: Logger
  client?: CoaClient
}

export interface CoaEnforcer extends RouterDriver {
  /** Sessions whose NAS has not yet ACKed what their subscriber's state calls for. */
  pending(): number
}

/** What a session should be: the state, and for throttling the rates (a new rate is a new CoA). */
type Want = string

interface Track {
  subscriberId: string
  session: OpenSession
  achieved: Want | 'unknown'
  busy: boolean
  attempt: number
  timer?: NodeJS.Timeout | undefined
  problem?: RuleProblem | undefined
}

function wantOf(rule: SubscriberRule): Want {
  if (rule.state !== 'throttled') return rule.state
  return `throttled:${rule.throttleKbps ?? 0}/${rule.throttleUpKbps ?? rule.throttleKbps ?? 0}`
}

export function createCoaEnforcer(options: CoaEnforcerOptions): CoaEnforcer {
  const timeoutMs = options.timeoutMs ?? 3000
  const retryMinMs = options.retryMinMs ?? 1000
  const retryMaxMs = options.retryMaxMs ?? 60_000
  const inFlightPerNas = options.inFlightPerNas ?? 4
  const client = options.client ?? createCoaClient()
  const nasMatcher: ClientMatcher = clientMatcher(
    options.nas.map((nas, i) => ({ address: nas.address, secret: String(i) })),
  )
  const rules = new Map<string, SubscriberRule>()
  const tracks = new Map<string, Track>()
  const queues = new Map<string, { inFlight: number; waiting: Set<Track> }>()
  let started = false
  let closed = false
  let reconcileQueued = false

  const actionFor = (want: Want): CoaAction =>
    want === 'open' ? options.restored : want === 'blocked' ? options.blocked : options.throttled

  const destinationOf = (track: Track): (CoaDestination & { nasName: string }) | undefined => {
    const nas = nasOfKey(track.session.nas)
    const address = nas.nasIp ?? nas.source
    const index = address === undefined ? undefined : nasMatcher.find(address)?.secret
    if (index === undefined) return undefined
    const config = options.nas[Number(index)]!
    return {
      address: config.coaAddress ?? address!,
      port: config.port,
      secret: config.secret,
      nasName: config.name ?? address!,
    }
  }

  const needs = (track: Track): Want | undefined => {
    const rule = rules.get(track.subscriberId)
    if (!rule) return undefined
    const want = wantOf(rule)
    if (track.achieved === want) return undefined
    // A restoring Disconnect is for sessions known to be capped, never for every session at start.
    if (track.achieved === 'unknown' && want === 'open' && options.restored.mode === 'disconnect') {
      track.achieved = want
      return undefined
    }
    return want
  }

  const enqueue = (track: Track) => {
    if (track.busy || track.timer || closed || needs(track) === undefined) return
    const destination = destinationOf(track)
    if (!destination) {
      track.problem = {
        subscriberId: track.subscriberId,
        code: 'coa_no_nas',
        message: `no CoA NAS is configured for session ${track.session.sessionId}'s NAS (${track.session.nas})`,
      }
      return
    }
    const key = `${destination.address}:${destination.port}`
    const queue = queues.get(key) ?? { inFlight: 0, waiting: new Set<Track>() }
    queues.set(key, queue)
    queue.waiting.add(track)
    pump(key)
  }

  const pump = (key: string) => {
    const queue = queues.get(key)
    if (!queue || closed) return
    while (queue.inFlight < inFlightPerNas && queue.waiting.size > 0) {
      const track = queue.waiting.values().next().value as Track
      queue.waiting.delete(track)
      if (tracks.get(track.session.key) !== track || track.busy) continue
      const want = needs(track)
      if (want === undefined) continue
      queue.inFlight++
      track.busy = true
      void send(track, want)
        .catch((err: unknown) => couldNotSend(track, want, err))
        .finally(() => {
          queue.inFlight--
          track.busy = false
          if (queue.inFlight === 0 && queue.waiting.size === 0) queues.delete(key)
          pump(key)
          enqueue(track)
        })
    }
  }

  const send = async (track: Track, want: Want): Promise<void> => {
    const rule = rules.get(track.subscriberId)!
    const destination = destinationOf(track)!
    const action = actionFor(want)
    const nas = nasOfKey(track.session.nas)
    const identity = identityAttributes({
      ...(nas.nasIp ? { nasIp: nas.nasIp } : {}),
      ...(nas.nasIdentifier ? { nasIdentifier: nas.nasIdentifier } : {}),
      userName: track.session.login,
      sessionId: track.session.sessionId,
      ...(track.session.address ? { framedIp: track.session.address } : {}),
    })
    const attributes =
      action.mode === 'coa'
        ? [...identity, ...action.attributes.map((spec) => encodeAttribute(spec, rule))]
        : identity
    const outcome = await client.send(destination, action.mode, attributes, timeoutMs)
    if (tracks.get(track.session.key) !== track) return
    settled(track, want, outcome, destination.nasName, action.mode)
  }

  /** A request that could not even be sent (an attribute that does not encode, no destination): retried like silence. */
  const couldNotSend = (track: Track, want: Want, err: unknown) => {
    if (tracks.get(track.session.key) !== track) return
    const message = `could not send a request for session ${track.session.sessionId}: ${(err as Error).message}; retrying`
    if (track.problem?.message !== message)
      options.log.error({ err, subscriberId: track.subscriberId, want }, `RADIUS CoA: ${message}`)
    track.problem = { subscriberId: track.subscriberId, code: 'coa_no_answer', message }
    retryLater(track)
  }

  const retryLater = (track: Track) => {
    const delayMs = Math.min(retryMaxMs, retryMinMs * 2 ** track.attempt) * (0.5 + Math.random() / 2)
    track.attempt = Math.min(track.attempt + 1, 30)
    track.timer = setTimeout(() => {
      track.timer = undefined
      enqueue(track)
    }, delayMs)
  }

  const settled = (track: Track, want: Want, outcome: CoaOutcome, nasName: string, mode: string) => {
    const log = options.log.child({ subscriberId: track.subscriberId, nas: nasName })
    const what = mode === 'coa' ? 'CoA' : 'Disconnect'
    const session = track.session.sessionId
    if (outcome.kind === 'ack' || (outcome.kind === 'nak' && outcome.cause === SESSION_CONTEXT_NOT_FOUND)) {
      if (outcome.kind === 'nak')
        log.info({ session }, `RADIUS ${what}: the NAS no longer has session ${session}: nothing to enforce`)
      else log.debug({ session, want }, `RADIUS ${what}: ACKed`)
      track.achieved = want
      track.attempt = 0
      track.problem = undefined
      return
    }
    const message =
      outcome.kind === 'nak'
        ? `NAS ${nasName} refused the ${what} for session ${session} (${errorCauseText(outcome.cause)}); retrying`
        : `NAS ${nasName} did not answer the ${what} for session ${session}; retrying`
    if (track.problem?.message !== message) log.warn({ session, want }, `RADIUS ${message}`)
    track.problem = {
      subscriberId: track.subscriberId,
      code: outcome.kind === 'nak' ? 'coa_nak' : 'coa_no_answer',
      message,
    }
    retryLater(track)
  }

  const reconcile = () => {
    if (closed) return
    const open = options.sessions.openSessions()
    const seen = new Set<string>()
    for (const [subscriberId, sessions] of open) {
      if (!rules.has(subscriberId)) continue
      for (const session of sessions) {
        seen.add(session.key)
        let track = tracks.get(session.key)
        if (!track || track.subscriberId !== subscriberId) {
          if (track?.timer) clearTimeout(track.timer)
          // A session begun since the first apply was authorized with the plan's own attributes.
          track = { subscriberId, session, achieved: started ? 'open' : 'unknown', busy: false, attempt: 0 }
          tracks.set(session.key, track)
        }
        track.session = session
        enqueue(track)
      }
    }
    for (const [key, track] of tracks) {
      if (seen.has(key)) continue
      if (track.timer) clearTimeout(track.timer)
      tracks.delete(key)
    }
    started = true
  }

  options.sessions.onSessions(() => {
    if (reconcileQueued || !started) return
    reconcileQueued = true
    setImmediate(() => {
      reconcileQueued = false
      reconcile()
    })
  })

  return {
    kind: 'coa',
    async start() {},
    async readCounters(): Promise<CounterReading> {
      return { atMs: Date.now(), bootId: '', samples: [] }
    },
    async apply(next) {
      rules.clear()
      for (const rule of next) rules.set(rule.subscriberId, rule)
      reconcile()
      const skipped = new Map<string, RuleProblem>()
      for (const track of tracks.values()) {
        if (track.problem && needs(track) !== undefined) skipped.set(track.subscriberId, track.problem)
      }
      return { skipped: [...skipped.values()] }
    },
    pending() {
      let count = 0
      for (const track of tracks.values()) if (needs(track) !== undefined) count++
      return count
    },
    async close() {
      closed = true
      for (const track of tracks.values()) if (track.timer) clearTimeout(track.timer)
      await client.close()
    },
  }
}
