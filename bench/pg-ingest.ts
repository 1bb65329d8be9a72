/**
 * Usage ingest on the PostgreSQL store against the embedded one: the same subscribers (seeded with
 * a top-up and an invoice each), the same batches of 1,000 usage entries (one per subscriber,
 * booked through ingestUsage as the hub does, 8 batches in flight), on the embedded store on disk
 * (the baseline) and on a PostgreSQL database of its own. Prints subscriber-deltas per second.
 *
 * Needs a PostgreSQL server (CAPD_TEST_DATABASE_URL, default the local one, trust auth); says
 * "skipped" without one. Alone: `pnpm tsx bench/pg-ingest.ts [subscribers]` (default 5,000).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { billingPeriod, PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { ingestUsage } from '../controller/src/domain/usage-ingest.js'
import { emptyData } from '../controller/src/store/data.js'
import { DocumentStore } from '../controller/src/store/document-store.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import { openPgStore } from '../controller/src/store/postgres/open-pg-store.js'
import type { Store } from '../controller/src/store/store.js'
import { createTestDatabase, postgresUnavailable } from '../controller/src/testing/pg-database.js'
import { seedSubscribers } from './seed.js'
import { formatNumber, printTable, ratio } from './table.js'

const BATCH = 1000
const IN_FLIGHT = 8
const ROUNDS = 3

const env: DomainEnv = { clock: systemClock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 3600_000 }

/** Books `rounds` deltas per subscriber; returns deltas per second. */
async function ingest(store: Store, agentId: string, ids: readonly string[], epoch: string): Promise<number> {
  const periodStart = new Date(billingPeriod(Date.now(), 1, 'UTC').startMs).toISOString()
  let seq = 0
  const batches: Usage[] = []
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < ids.length; i += BATCH) {
      const entries = ids.slice(i, i + BATCH).map((subscriberId) => ({
        seq: ++seq,
        subscriberId,
        periodStart,
        down: 1_000_000,
        up: 10_000,
        atMs: Date.now(),
      }))
      batches.push({ v: PROTOCOL_VERSION, type: 'usage', epoch, entries })
    }
  }
  const started = performance.now()
  // In order per agent (a batch's mark follows the last), a few in flight as the agent sends them.
  let next = 0
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < batches.length) {
        const usage = batches[next++]!
        await store.transact((tx) => ingestUsage(tx, env, agentId, usage))
      }
    }),
  )
  return (batches.length * BATCH) / ((performance.now() - started) / 1000)
}

export async function pgIngest(subscribers = 5000): Promise<void> {
  console.log(
    `\n## Usage ingest on PostgreSQL: ${formatNumber(subscribers, 0)} subscribers, batches of ${BATCH}`,
  )
  const unavailable = await postgresUnavailable()
  if (unavailable) {
    console.log(`skipped: ${unavailable}`)
    return
  }
  // One seed, loaded into both, so both book onto the same rows.
  const data = emptyData()
  const ids = await seedSubscribers(new DocumentStore(data, null), subscribers, Date.now())
  const agentId = Object.keys(data.agents)[0]!

  const dir = await mkdtemp(join(tmpdir(), 'capd-pg-ingest-'))
  const db = await createTestDatabase()
  try {
    const embedded = await openLowdbStore(dir, () => {})
    await embedded.transact(async (tx) => {
      for (const plan of Object.values(data.plans)) await tx.plans.insert(plan)
      for (const agent of Object.values(data.agents)) await tx.agents.insert(agent)
      for (const sub of Object.values(data.subscribers)) await tx.subscribers.insert(sub)
      for (const t of Object.values(data.topUps)) await tx.topUps.insert(t)
      for (const inv of Object.values(data.invoices)) await tx.invoices.insert(inv)
    })
    const embeddedRate = await ingest(embedded, agentId, ids, 'bench-embedded')
    await embedded.close()

    const pg = await openPgStore({ url: db.url, max: IN_FLIGHT + 2 })
    await pg.loadData(data)
    const pgRate = await ingest(pg, agentId, ids, 'bench-pg')
    const retries = pg.retries
    await pg.close()

    printTable(
      ['store', 'subscriber-deltas/s', 'vs embedded'],
      [
        ['embedded (lowdb + WAL on disk), baseline', formatNumber(embeddedRate, 0), '1.00x'],
        [
          `PostgreSQL (${retries} serialization retries)`,
          formatNumber(pgRate, 0),
          ratio(pgRate, embeddedRate),
        ],
      ],
    )
  } finally {
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await pgIngest(Number(process.argv[2] ?? 5000))
