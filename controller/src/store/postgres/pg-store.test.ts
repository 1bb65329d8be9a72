/** The PostgreSQL store on a real server: rollback, peek, commits across stores, job locks, dump and load. */
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SERVER_URL } from '../../testing/pg-database.js'
import type { Commit } from '../commit-notes.js'
import { emptyData } from '../data.js'
import type { Plan } from '../entities.js'
import { openPgStore } from './open-pg-store.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'
import { sampleData } from './sample-data.js'

const skip = await pgSkipReason()

const plan = (id: string, capBytes = 1000): Plan => ({
  id,
  name: id,
  capBytes,
  onCap: 'block',
  createdAtMs: 1,
})

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL })
  await admin.connect()
  try {
    await admin.query(sql)
  } finally {
    await admin.end()
  }
}

/** Resolves once `pred` holds, polling; fails after `ms`. */
async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await sleep(10)
  }
}

describe.skipIf(skip)('the PostgreSQL store', { timeout: 60_000 }, () => {
  let fixture: Awaited<ReturnType<typeof pgFixture>>
  let a: PgStore
  let b: PgStore
  beforeAll(async () => {
    fixture = await pgFixture()
    a = await fixture.open()
    b = await fixture.open()
  })
  afterAll(() => fixture?.end())

  it('keeps nothing of a transaction that throws, and gives its sequence number back', async () => {
    await expect(
      a.transact(async (tx) => {
        await tx.plans.insert(plan('p-rollback'))
        await tx.audit.append({
          id: 'aud-rb',
          atMs: 1,
          actor: 'system',
          action: 'x',
          entity: 'x',
          entityId: 'x',
        })
        await tx.idempotency.put({ scope: 'rb', requestHash: 'h', status: 200, body: 1, createdAtMs: 1 })
        expect(await tx.nextSequence('rollback/2026')).toBe(1)
        await tx.plans.list() // flushes the overlay: the rollback must undo flushed rows too
        throw new Error('no')
      }),
    ).rejects.toThrow('no')
    await a.peek(async (tx) => {
      expect(await tx.plans.get('p-rollback')).toBeUndefined()
      expect(await tx.audit.find({ entityId: 'x', limit: 5 })).toEqual({ items: [], nextCursor: null })
      expect(await tx.idempotency.get('rb')).toBeUndefined()
    })
    expect(await b.transact((tx) => tx.nextSequence('rollback/2026'))).toBe(1)
  })

  it('refuses a write in peek and keeps nothing of it', async () => {
    await expect(a.peek((tx) => tx.plans.insert(plan('p-peek')))).rejects.toThrow('peek() must not write')
    expect(await a.peek((tx) => tx.plans.get('p-peek'))).toBeUndefined()
  })

  it('peeks without waiting for a writer that holds the rows', async () => {
    await a.transact((tx) => tx.plans.insert(plan('p-held')))
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const writer = b.transact(async (tx) => {
      await tx.plans.update(plan('p-held', 2000))
      await tx.plans.list() // the update reaches the database: the row is locked until commit
      await held
    })
    await sleep(50)
    expect((await a.peek((tx) => tx.plans.get('p-held')))?.capBytes).toBe(1000)
    release()
    await writer
    expect((await a.peek((tx) => tx.plans.get('p-held')))?.capBytes).toBe(2000)
  })

  it("hands another store's commits to onCommit through NOTIFY, and its own once", async () => {
    const heardA: Commit[] = []
    const heardB: Commit[] = []
    const offA = a.onCommit((c) => heardA.push(c))
    const offB = b.onCommit((c) => heardB.push(c))
    try {
      await b.transact(async (tx) => {
        await tx.topUps.insert({
          id: 'top-notify',
          subscriberId: 'sub-notify',
          bytes: 5,
          price: { amount: 1, currency: 'USD' },
          source: 'operator',
          chargeTo: 'balance',
          createdAtMs: 1,
          periodStartMs: 0,
          expiresAtMs: 9,
          invoiceId: 'inv-x',
          actor: 'system',
        })
      })
      expect(heardB.map((c) => c.subscriberIds)).toEqual([['sub-notify']])
      await until(() => heardA.length === 1)
      expect(heardA[0]!.topUpsAdded.map((t) => t.id)).toEqual(['top-notify'])
      // A rolled-back transaction notifies nobody.
      await b
        .transact(async (tx) => {
          await tx.topUps.update({ ...(await tx.topUps.get('top-notify'))!, bytes: 6 })
          throw new Error('no')
        })
        .catch(() => {})
      // A commit too large for one NOTIFY arrives in parts that name every subscriber.
      const many = Array.from({ length: 1500 }, (_, i) => `sub-many-${String(i).padStart(5, '0')}`)
      await a.transact(async (tx) => {
        for (const id of many) {
          await tx.subscribers.insert({
            id,
            name: id,
            login: id,
            planId: 'p',
            agentId: 'agent-n',
            address: '10.200.0.1',
            billingDay: 1,
            balance: { amount: 0, currency: 'USD' },
            createdAtMs: 1,
            usedBytes: 0,
            usagePeriodStartMs: 0,
            state: 'open',
          })
        }
      })
      const heardIds = () =>
        new Set(heardB.flatMap((c) => c.subscriberIds).filter((id) => id.startsWith('sub-many')))
      await until(() => heardIds().size === many.length)
      expect(heardB.length).toBeGreaterThan(2)
      await sleep(100)
      expect(heardA.length).toBe(2) // its own top-up commit from B, and its own big commit once
    } finally {
      offA()
      offB()
    }
  })

  it('re-syncs every live subscriber when the LISTEN connection comes back', async () => {
    const heard: Commit[] = []
    const off = a.onCommit((c) => heard.push(c))
    try {
      a.dropListenConnection()
      await until(() => heard.some((c) => c.subscriberIds.length > 1000), 10_000)
      const live = await b.peek(async (tx) =>
        (await tx.subscribers.find({ limit: 5000 })).items.map((s) => s.id),
      )
      expect(heard.find((c) => c.subscriberIds.length > 1000)!.subscriberIds).toEqual(live)
      // …and listens again.
      const before = heard.length
      await b.transact((tx) => tx.plans.insert(plan('p-after-reconnect')))
      await b.transact(async (tx) => {
        await tx.subscribers.update({
          ...(await tx.subscribers.get('sub-many-00000'))!,
          address: '10.200.0.2',
        })
      })
      await until(() => heard.length > before)
    } finally {
      off()
    }
  })

  it('grants a job lock to one store at a time', async () => {
    const release = await a.tryJobLock('retention')
    expect(release).toBeDefined()
    expect(await b.tryJobLock('retention')).toBeUndefined()
    expect(await a.tryJobLock('retention')).toBeUndefined() // not re-entrant: one run at a time
    const other = await b.tryJobLock('rollover')
    expect(other).toBeDefined()
    await release!()
    const next = await b.tryJobLock('retention')
    expect(next).toBeDefined()
    await next!()
    await other!()
  })

  it('says failed in health when the server cannot be reached, and open again after', async () => {
    expect(a.health().state).toBe('open')
    const lone = await openPgStore({ url: fixture.db.url, max: 1 })
    try {
      await adminQuery(`ALTER DATABASE ${fixture.db.name} WITH ALLOW_CONNECTIONS false`)
      await adminQuery(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${fixture.db.name}'`,
      )
      await until(() => lone.health().state === 'failed', 10_000)
      await expect(lone.transact((tx) => tx.plans.list())).rejects.toThrow()
      await adminQuery(`ALTER DATABASE ${fixture.db.name} WITH ALLOW_CONNECTIONS true`)
      await until(() => lone.health().state === 'open', 10_000)
    } finally {
      await lone.close()
    }
    expect(lone.health().state).toBe('closed')
  })
})

describe.skipIf(skip)('dump and load', { timeout: 60_000 }, () => {
  it('loads a populated document into an empty database and dumps it back the same, every table', async () => {
    const fixture = await pgFixture()
    try {
      const store = await fixture.open()
      const data = sampleData(3)
      await store.loadData(data)
      const dumped = await store.dumpData()
      expect(dumped).toEqual(data)
      // A subscriber known by its login comes back without an address (not an empty or null one).
      expect(data.subscribers['sub-1']).not.toHaveProperty('address')
      expect(dumped.subscribers['sub-1']).not.toHaveProperty('address')
      expect(dumped.subscribers['sub-0']?.address).toBe('10.1.0.1')
      for (const key of Object.keys(emptyData()) as (keyof typeof data)[]) {
        const part = data[key]
        if (part && typeof part === 'object' && key !== 'migrations')
          expect(Object.keys(part).length, key).toBeGreaterThan(0)
      }
      // The ages of idempotency records survive: the order of insertion is the order dumped.
      expect(Object.keys(dumped.idempotency)).toEqual(Object.keys(data.idempotency))
      // A loaded store goes on from the loaded sequence.
      expect(await store.transact((tx) => tx.nextSequence('invoice/2026'))).toBe(4)
      // A second load is refused and changes nothing.
      await expect(store.loadData(sampleData(1))).rejects.toThrow(/not empty/)
      expect(Object.keys((await store.dumpData()).subscribers)).toHaveLength(3)
    } finally {
      await fixture.end()
    }
  })

  it('refuses a document that breaks the ledger rules, and keeps nothing of it', async () => {
    const fixture = await pgFixture()
    try {
      const store = await fixture.open()
      const gap = sampleData(3)
      const inv = gap.invoices['inv-1']!
      gap.invoices['inv-1'] = { ...inv, number: 'INV-2026-000007' }
      await expect(store.loadData(gap)).rejects.toThrow(/gap/)
      const negative = sampleData(3)
      const sub = negative.subscribers['sub-1']!
      negative.subscribers['sub-1'] = { ...sub, balance: { amount: -5, currency: 'USD' } }
      await expect(store.loadData(negative)).rejects.toThrow(/balance/)
      expect(await store.dumpData()).toEqual({ ...emptyData(), migrations: [] })
    } finally {
      await fixture.end()
    }
  })
})
