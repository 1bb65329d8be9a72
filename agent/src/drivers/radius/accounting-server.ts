/**
 * RADIUS accounting as a counter source: a UDP listener for Accounting-Request packets from the
 * NAS (or copies a FreeRADIUS forwards), turned into per-subscriber cumulative counters.
 *
 * Design. The agent books usage from counters that are cumulative and monotone within one
 * `counterId` (usage-engine.ts), and after a restart from the counter position its journal holds.
 * RADIUS gives per-session totals at moments of the NAS's choosing: Start, Interims, Stop. The
 * ledger (ledger.ts) bridges the two: it keeps each session's largest reported totals and, per
 * subscriber, a counter that grows by each increase of one of the subscriber's sessions. Because a
 * session's totals are the maximum ever reported, a duplicate, a retransmission or an Interim that
 * arrives after a newer one adds nothing, and a Stop that lands between two polls is simply in the
 * counter at the next poll, once. Sessions that come and go, or run side by side, all add to the
 * one counter. Ended sessions are remembered for a day so late copies still find them.
 *
 * Durability. The ledger is written to the state dir (atomically, as a whole, group-committed)
 * before the Accounting-Response goes out: until the NAS has its answer it retransmits, so an agent
 * that dies before the write loses nothing; after it, the bytes are on disk. Polls read only what
 * is on disk (ledger-store.ts), so the agent's journal never holds a counter position the ledger
 * could lose. After a restart both come back: the journal's baseline and the ledger's counter, and
 * the next delta is exactly the difference, so bytes reported after the last poll are booked once
 * and those before it are not booked again. The counter ids carry the ledger's generation and the
 * reading's bootId is it: a lost ledger is a new generation, never counted against old baselines.
 *
 * Counters are created at zero when a subscriber with a login is first applied (announced to the
 * agent first, the driver contract's `creating`), so the agent counts them from their first byte.
 * Usage a session reported before its subscriber had a counter is not the subscriber's to book.
 *
 * The codec is our own (codec.ts says why); the secret is per client, matched by source address.
 * A packet that fails the authenticator check is logged and dropped unanswered, like one from an
 * unknown address. A request that cannot be parsed is not answered either: the NAS keeps it.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIP } from 'node:net'
import { join } from 'node:path'
import type { Logger } from '@capd/log'
import type { RuleProblem } from '@capd/protocol'
import type { CounterReading, CountersCreating, SubscriberRule } from '../driver.js'
import { type AccountingRecord, AccountingRecordError, readAccountingRecord } from './accounting-record.js'
import { type ClientMatcher, clientMatcher, type RadiusClient } from './clients.js'
import {
  ACCOUNTING_REQUEST,
  accountingResponse,
  decodePacket,
  RadiusFormatError,
  requestAuthentic,
} from './codec.js'
import type { OpenSession } from './ledger.js'
import { LedgerStore } from './ledger-store.js'

export const LEDGER_FILE = 'radius-ledger.json'
/** A noisy source (wrong secret, unknown address) is logged at most this often. */
const COMPLAINT_EVERY_MS = 60_000

export interface RadiusAccountingOptions {
  host: string
  port: number
  clients: readonly RadiusClient[]
  stateDir: string
  log: Logger
  now?: () => number
}

export interface RadiusAccounting {
  /** Opens the ledger and starts listening. */
  start(): Promise<void>
  /** The UDP port listened on (once started). */
  readonly port: number
  readCounters(): Promise<CounterReading>
  /** Keeps one counter per subscriber with a login; what it cannot keep is returned as skipped. */
  track(rules: readonly SubscriberRule[], creating?: CountersCreating): Promise<RuleProblem[]>
  /** Framed-IP-Address (or IPv6) of each subscriber's open sessions, as last reported. */
  sessionAddresses(): ReadonlyMap<string, readonly string[]>
  /** Each subscriber's open sessions, as last recorded. */
  openSessions(): ReadonlyMap<string, readonly OpenSession[]>
  /** `listener` is called after each request recorded and answered (a session may have begun or ended). */
  onSessions(listener: () => void): void
  close(): Promise<void>
}

export function createRadiusAccounting(options: RadiusAccountingOptions): RadiusAccounting {
  const now = options.now ?? Date.now
  const clients: ClientMatcher = clientMatcher(options.clients)
  const complained = new Map<string, number>()
  let store: LedgerStore | undefined
  let socket: Socket | undefined
  let port = 0
  let closed = false
  /** Requests being recorded: close waits for them, so nothing is written after it. */
  const inFlight = new Set<Promise<void>>()
  const listeners: (() => void)[] = []

  const complain = (source: string, fields: object, message: string) => {
    const last = complained.get(source)
    if (last !== undefined && now() - last < COMPLAINT_EVERY_MS) return
    complained.set(source, now())
    options.log.warn({ source, ...fields }, message)
  }

  const onDatagram = async (datagram: Buffer, from: RemoteInfo) => {
    const client = clients.find(from.address)
    if (!client) {
      return complain(
        from.address,
        {},
        'RADIUS: request from an address that is not a configured client: ignored',
      )
    }
    let record: AccountingRecord
    let request: ReturnType<typeof decodePacket>
    try {
      request = decodePacket(datagram)
      if (request.code !== ACCOUNTING_REQUEST)
        throw new RadiusFormatError(`code ${request.code} is not Accounting-Request`)
      if (!requestAuthentic(datagram, client.secret)) {
        return complain(
          from.address,
          { client: client.name },
          'RADIUS: Accounting-Request with a bad authenticator (wrong shared secret?): ignored, not answered',
        )
      }
      record = readAccountingRecord(request.attributes)
    } catch (err) {
      if (!(err instanceof RadiusFormatError || err instanceof AccountingRecordError)) throw err
      return complain(from.address, { client: client.name }, `RADIUS: unusable request: ${err.message}`)
    }
    const ledger = store!.ledger
    ledger.record(record, nasKey(record, from.address), now())
    try {
      await store!.commit()
    } catch (err) {
      // Unanswered, the NAS sends it again; the next write carries it.
      options.log.error({ err }, 'RADIUS: cannot write the ledger: request left unanswered')
      return
    }
    socket?.send(accountingResponse(request, client.secret), from.port, from.address)
    for (const listener of listeners) listener()
  }

  return {
    get port() {
      return port
    },
    async start() {
      if (closed) throw new Error('RADIUS accounting is closed')
      if (socket) return
      if (!store) {
        store = await LedgerStore.open(join(options.stateDir, LEDGER_FILE), now())
        if (store.ledger.prune(now())) await store.commit()
      }
      const s = createSocket({ type: isIP(options.host) === 6 ? 'udp6' : 'udp4' })
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.bind(options.port, options.host, () => {
          s.off('error', reject)
          resolve()
        })
      })
      s.on('error', (err) => options.log.error({ err }, 'RADIUS: socket error'))
      s.on('message', (datagram, from) => {
        if (socket !== s) return
        const handled = onDatagram(datagram, from).catch((err) =>
          options.log.error({ err }, 'RADIUS: request failed'),
        )
        inFlight.add(handled)
        void handled.finally(() => inFlight.delete(handled))
      })
      port = s.address().port
      socket = s
      options.log.info({ host: options.host, port }, 'RADIUS accounting: listening')
    },
    async readCounters() {
      // Started late if the first start failed (the port taken, the state dir unwritable).
      if (!socket) await this.start()
      if (!store) throw new Error('RADIUS accounting is not started')
      return { atMs: now(), bootId: `radius:${store.ledger.generation}`, samples: store.committed.samples }
    },
    async track(rules, creating) {
      if (!store) throw new Error('RADIUS accounting is not started')
      const ledger = store.ledger
      if (ledger.prune(now())) await store.commit()
      const plan = ledger.plan(rules)
      for (const id of plan.remove) ledger.removeCounter(id)
      if (plan.create.length > 0) {
        await creating?.(plan.create.map((c) => c.subscriberId))
        for (const { subscriberId, login } of plan.create) ledger.createCounter(subscriberId, login)
      }
      if (plan.remove.length > 0 || plan.create.length > 0) await store.commit()
      return plan.skipped
    },
    sessionAddresses() {
      return store?.ledger.addresses() ?? new Map()
    },
    openSessions() {
      return store?.ledger.openSessions() ?? new Map()
    },
    onSessions(listener) {
      listeners.push(listener)
    },
    async close() {
      closed = true
      const s = socket
      socket = undefined
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
      await Promise.all(inFlight)
      await store?.flush()
    },
  }
}

/** The NAS a session belongs to: its own attributes (a forwarding server is not the NAS), else the source. */
function nasKey(record: AccountingRecord, sourceAddress: string): string {
  if (record.nasIp === undefined && record.nasIdentifier === undefined) return `src:${sourceAddress}`
  return `${record.nasIp ?? ''}/${record.nasIdentifier ?? ''}`
}

/** What a ledger NAS key says of the NAS: its NAS-IP-Address and NAS-Identifier, or the address requests came from. */
export function nasOfKey(key: string): { nasIp?: string; nasIdentifier?: string; source?: string } {
  if (key.startsWith('src:')) return { source: key.slice(4) }
  const slash = key.indexOf('/')
  const nasIp = key.slice(0, slash)
  const nasIdentifier = key.slice(slash + 1)
  return { ...(nasIp ? { nasIp } : {}), ...(nasIdentifier ? { nasIdentifier } : {}) }
}
