/**
 * One case of ingest-scale.ts in a process of its own: seeds `subscribers` over AGENTS agents, opens
 * the store, connects every agent to a real AgentHub and has them send usage for `seconds`. Prints
 * one JSON line (a CaseResult). Args: store subscribers seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createLogger } from '@capd/log'
import { billingPeriod, type ControllerMessage, PROTOCOL_VERSION } from '@capd/protocol'
import { AgentHub } from '../controller/src/agent-hub/agent-hub.js'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { noMetrics, type UsageCounts } from '../controller/src/metrics/controller-metrics.js'
import { type Data, emptyData } from '../controller/src/store/data.js'
import { DocumentStore } from '../controller/src/store/document-store.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import { openPgStore } from '../controller/src/store/postgres/open-pg-store.js'
import type { Store } from '../controller/src/store/store.js'
import { createTestDatabase, postgresUnavailable } from '../controller/src/testing/pg-database.js'
import { AGENTS, type CaseResult, type StoreKind } from './ingest-scale.js'
import { seedSubscribers } from './seed.js'

/** The controller's errors on stderr (stdout carries the result line). */
const errorsOnly = createLogger({ name: 'capd', level: 'error', destination: process.stderr })

/** Usage messages an agent has sent and not had acked, at most. */
const WINDOW = 2

const env: DomainEnv = { clock: systemClock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 3600_000 }

const [kind, subscribersArg, secondsArg] = process.argv.slice(2) as [StoreKind, string, string]
const subscribers = Number(subscribersArg)
const seconds = Number(secondsArg)

/** Stage progress on stderr, so a slow case shows where it is. */
function stage(name: string): void {
  process.stderr.write(`[${kind} ${subscribers}] ${name} at ${(performance.now() / 1000).toFixed(1)} s\n`)
}

function print(result: Omit<CaseResult, 'store' | 'subscribers'>): void {
  console.log(JSON.stringify({ store: kind, subscribers, ...result }))
}

async function loadInto(store: Store, data: Data): Promise<void> {
  await store.transact(async (tx) => {
    for (const plan of Object.values(data.plans)) await tx.plans.insert(plan)
    for (const agent of Object.values(data.agents)) await tx.agents.insert(agent)
    for (const sub of Object.values(data.subscribers)) await tx.subscribers.insert(sub)
    for (const t of Object.values(data.topUps)) await tx.topUps.insert(t)
    for (const inv of Object.values(data.invoices)) await tx.invoices.insert(inv)
  })
}

/** One simulated agent: hello and its sync; then `ingest` sends its whole journal each poll until `untilMs`. */
async function connect(
  hub: AgentHub,
  agentId: string,
  ids: readonly string[],
): Promise<(untilMs: number) => Promise<number>> {
  let synced!: () => void
  let refused!: (err: Error) => void
  const sync = new Promise<void>((resolve, reject) => {
    synced = resolve
    refused = reject
  })
  let acked = 0
  let unacked = 0
  let wake: (() => void) | undefined
  let failed: Error | undefined
  const sizes = new Map<number, number>()
  const session = hub.accept(agentId, {
    send(text) {
      const message = JSON.parse(text) as ControllerMessage
      if (message.type === 'sync') synced()
      else if (message.type === 'ack') {
        acked += sizes.get(message.seq) ?? 0
        sizes.delete(message.seq)
        unacked--
        wake?.()
      } else if (message.type === 'error') {
        failed = new Error(`agent ${agentId}: ${message.code} ${message.message}`)
        refused(failed)
        wake?.()
      }
    },
    close() {},
  })
  const epoch = `bench-${agentId}`
  session.receive(
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'hello',
      agentId,
      epoch,
      lastSeq: 0,
      agentVersion: 'bench',
      driver: 'bench',
    }),
  )
  await sync
  let seq = 0
  return async (untilMs) => {
    while (Date.now() < untilMs || unacked > 0) {
      if (failed) throw failed
      if (unacked >= WINDOW || Date.now() >= untilMs) {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      const periodStart = new Date(billingPeriod(Date.now(), 1, 'UTC').startMs).toISOString()
      const atMs = Date.now()
      for (let i = 0; i < ids.length; i += 1000) {
        const entries = ids.slice(i, i + 1000).map((subscriberId) => ({
          seq: ++seq,
          subscriberId,
          periodStart,
          down: 1_000_000,
          up: 10_000,
          atMs,
        }))
        sizes.set(seq, entries.length)
        unacked++
        // A frame from a socket arrives on a turn of the event loop of its own.
        const frame = JSON.stringify({ v: PROTOCOL_VERSION, type: 'usage', epoch, entries })
        setImmediate(() => session.receive(frame))
      }
    }
    return acked
  }
}

async function main(): Promise<void> {
  if (kind === 'postgres') {
    const unavailable = await postgresUnavailable()
    if (unavailable) {
      print({
        deltasPerSecond: 0,
        booksSeconds: 0,
        loopP99Ms: 0,
        loopMaxMs: 0,
        rssMb: 0,
        seedSeconds: 0,
        connectSeconds: 0,
        retries: 0,
        skipped: unavailable,
      })
      return
    }
  }
  const seedStarted = performance.now()
  // Let go once loaded: the seeded rows would otherwise stay on the heap beside the store's own,
  // as no controller holds them, and every full collection would mark them.
  let data: Data | undefined = emptyData()
  await seedSubscribers(new DocumentStore(data, null), subscribers, Date.now(), AGENTS)
  const byAgent = new Map<string, string[]>()
  for (const sub of Object.values(data.subscribers)) {
    byAgent.set(sub.agentId, [...(byAgent.get(sub.agentId) ?? []), sub.id])
  }

  const dir = await mkdtemp(join(tmpdir(), 'capd-ingest-scale-'))
  const db = kind === 'postgres' ? await createTestDatabase() : undefined
  let store: Store | undefined
  let retries = (): number => 0
  try {
    if (db) {
      const pg = await openPgStore({ url: db.url })
      await pg.loadData(data)
      store = pg
      retries = () => pg.retries
    } else {
      store = await openLowdbStore(dir, () => {})
      await loadInto(store, data)
    }
    data = undefined
    const seedSeconds = (performance.now() - seedStarted) / 1000
    stage('loaded')
    // The simulated agents answer no pings: a backlog acked later than the silent timeout (the agents
    // here send again the moment they are acked) must not end their sessions.
    let booked = 0
    const metrics = { ...noMetrics, usageIngested: (c: UsageCounts) => (booked += c.booked) }
    const hub = new AgentHub({ store, env, logger: errorsOnly, silentTimeoutMs: 3_600_000, metrics })
    const connectStarted = performance.now()
    const agents = await Promise.all([...byAgent].map(([agentId, ids]) => connect(hub, agentId, ids)))
    const connectSeconds = (performance.now() - connectStarted) / 1000
    stage('connected')
    // Retries of the ingest alone: the hellos' syncs retry too, and are not timed.
    const retriesBefore = retries()
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const started = performance.now()
    const untilMs = Date.now() + seconds * 1000
    const counts = await Promise.all(agents.map((ingest) => ingest(untilMs)))
    const ended = performance.now()
    const elapsed = (ended - started) / 1000
    loop.disable()
    stage('ingested')
    const rssMb = process.memoryUsage().rss / 2 ** 20
    await hub.drain()
    // Acked and journalled (PostgreSQL) is durable; the books follow, within this long.
    const booksSeconds = (performance.now() - ended) / 1000
    hub.close()
    const acked = counts.reduce((a, b) => a + b, 0)
    if (booked !== acked) throw new Error(`${acked} entries acked but ${booked} booked`)
    print({
      deltasPerSecond: acked / elapsed,
      booksSeconds,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
      rssMb,
      seedSeconds,
      connectSeconds,
      retries: retries() - retriesBefore,
    })
  } finally {
    await store?.close()
    await db?.drop()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
