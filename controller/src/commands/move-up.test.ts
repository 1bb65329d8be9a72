/**
 * Moving up: a data dir filled through the real domain (API, portal, agent protocol), backed up
 * with `capd backup --data`, restored with `capd restore --db` into a new database, and compared
 * table by table; then a controller on the database carries on where the data dir stopped.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@capd/log'
import type { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LimitRefresher } from '../agent-hub/limit-refresher.js'
import { claimStoreCurrency } from '../domain/store-currency.js'
import { pruneUsageHistory } from '../domain/usage-history-retention.js'
import { decodeBackup } from '../store/backup-file.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import { openPgStore } from '../store/postgres/open-pg-store.js'
import { pgSkipReason } from '../store/postgres/pg-test-kit.js'
import { sampleData } from '../store/postgres/sample-data.js'
import { TABLE_SPECS } from '../store/postgres/table-specs.js'
import type { Store, Tx } from '../store/store.js'
import { createTestDatabase, type TestDatabase } from '../testing/pg-database.js'
import { connectAgent, hello, type TestAgent, usage } from '../testing/test-agent.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../testing/test-app.js'
import { backupCommand } from './backup-command.js'
import { restoreCommand } from './restore-command.js'

const skip = await pgSkipReason()
const usd = (amount: number) => ({ amount, currency: 'USD' })
const NOW = Date.parse('2026-03-10T12:00:00Z')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {})
}, 60_000)

async function run(command: (argv: string[]) => Promise<number>, argv: string[]) {
  const out: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line))
  vi.spyOn(console, 'error').mockImplementation((line: string) => out.push(line))
  const code = await command(argv)
  vi.restoreAllMocks()
  return { code, out: out.join('\n') }
}

/** What an ISP's data dir holds after a month and a bit of business, all made through the domain. */
async function populate(store: Store) {
  const t = await testApp({
    store,
    nowMs: NOW,
    notify: {
      senders: [
        {
          channel: 'email',
          send: async () => ({ ok: true }),
        },
      ],
    },
  })
  // As a controller starting on the store does: the store records its currency.
  await claimStoreCurrency(store, t.env)
  const ok = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await t.call(method, path, body, headers)
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const plan = await ok('POST', '/plans', {
    name: 'Small',
    capBytes: 10_000,
    onCap: 'block',
    allowTiny: true,
  })
  const pack = await ok('POST', '/topup-plans', {
    name: '5 kB',
    bytes: 5000,
    price: usd(300),
    allowTiny: true,
  })
  const agents = [
    await ok('POST', '/agents', { name: 'tower-a' }),
    await ok('POST', '/agents', { name: 'tower-b' }),
  ]
  // biome-ignore lint/suspicious/noExplicitAny: API replies, checked field by field
  const subs: any[] = []
  for (let i = 0; i < 6; i++) {
    subs.push(
      await ok('POST', '/subscribers', {
        name: `Customer ${i} “ünïcode”`,
        login: `c${i}`,
        password: `secret-password-${i}`,
        email: `c${i}@example.net`,
        planId: plan.id,
        agentId: agents[i % 2].id,
        // The last is known by its login (PPPoE): no address to move.
        ...(i === 5 ? {} : { address: `10.0.${i % 2}.${i + 1}` }),
      }),
    )
  }
  await ok('POST', '/webhook-endpoints', { url: 'https://hooks.example.net/capd', events: ['topup.applied'] })
  // Money in, operator top-ups on invoices and on the balance, each under an Idempotency-Key.
  for (const [i, s] of subs.entries()) {
    await ok('POST', `/subscribers/${s.id}/payments`, { amount: usd(1000 + i) })
  }
  const topUps = []
  for (const [i, s] of subs.entries()) {
    topUps.push(
      await ok(
        'POST',
        `/subscribers/${s.id}/topups`,
        { bytes: 2000 + i, price: usd(400 + i), chargeTo: i % 2 ? 'balance' : 'invoice', allowTiny: true },
        { 'idempotency-key': `op-topup-${i}` },
      ),
    )
  }
  // A credit note: the first invoice voided.
  await ok(
    'POST',
    `/invoices/${topUps[0].invoice.id}/void`,
    { reason: 'sold by mistake' },
    { 'idempotency-key': 'void-1' },
  )
  // Portal purchases paid from the balance (and the customers' sessions).
  for (const i of [1, 2]) {
    const login = await portal(t.app, 'POST', '/portal/api/login', {
      login: `c${i}`,
      password: `secret-password-${i}`,
    })
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    const body = (await login.json()) as { csrfToken: string }
    const buy = await portal(
      t.app,
      'POST',
      '/portal/api/topups',
      { topUpPlanId: pack.id, pay: 'balance' },
      {
        cookie,
        'x-csrf-token': body.csrfToken,
        'idempotency-key': `portal-${i}`,
      },
    )
    if (buy.status !== 201) throw new Error(`portal purchase: ${buy.status} ${await buy.text()}`)
  }
  // An operator session, through the UI's login form.
  const form = await t.app.request(
    new Request('http://localhost/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
    }),
    undefined,
    { incoming: { socket: { remoteAddress: '198.51.100.9' } } },
  )
  if (form.status !== 303) throw new Error(`operator login: ${form.status}`)
  // Usage through the agent protocol, in March, then a roll-over and April's usage.
  const server = await t.serve()
  const refresher = new LimitRefresher({ store, env: t.env, logger: silentLogger })
  const clients: TestAgent[] = []
  for (const agent of agents) {
    const client = await connectAgent(server.wsUrl, agent.token)
    client.send(hello(agent.id, `epoch-${agent.name}`))
    await client.next('sync')
    clients.push(client)
  }
  let seq = 0
  const report = async (periodStart: string, bytes: (i: number) => number) => {
    for (const [a, agent] of agents.entries()) {
      const entries = subs
        .map((s, i) => ({ s, i }))
        .filter(({ i }) => i % 2 === a)
        .map(({ s, i }) => ({ seq: ++seq, subscriberId: s.id, down: bytes(i), up: i }))
      // One the controller does not know: acked, and kept as an anomaly for operators.
      if (a === 0) entries.push({ seq: ++seq, subscriberId: 'sub_nobody', down: 7, up: 0 })
      const message = usage(`epoch-${agent.name}`, entries, periodStart)
      for (const e of message.entries) e.atMs = t.clock.now()
      clients[a]!.send(message)
      await clients[a]!.next('ack')
    }
    await t.hub.drain()
  }
  await report('2026-03-01T00:00:00.000Z', (i) => 8000 + 500 * i)
  t.outbox?.kick()
  await t.outbox?.idle()
  t.clock.set(Date.parse('2026-04-01T00:00:01Z'))
  await refresher.runOnce()
  await report('2026-04-01T00:00:00.000Z', (i) => 100 * (i + 1))
  t.outbox?.kick()
  await t.outbox?.idle()
  // Three weeks on, March's days are folded into months (the history's retention pass).
  t.clock.set(Date.parse('2026-04-20T12:00:00Z'))
  await store.transact((tx) => pruneUsageHistory(tx, t.env))
  // The day's last top-up: its key is still live when the controller moves (keys last a day).
  const late = await ok(
    'POST',
    `/subscribers/${subs[1].id}/topups`,
    { bytes: 3000, price: usd(50), chargeTo: 'balance', allowTiny: true },
    { 'idempotency-key': 'late-topup' },
  )
  for (const c of clients) c.close()
  await server.close()
  // Tables no route here fills (card orders need a payment provider): rows of the right shape.
  const sample = sampleData()
  await store.transact(async (tx) => {
    for (const key of ['orders', 'paymentEvents'] as const) {
      const table = tx[key] as unknown as { list(): Promise<unknown[]>; insert(row: unknown): Promise<void> }
      if ((await table.list()).length === 0)
        for (const row of Object.values(sample[key])) await table.insert(row)
    }
  })
  return { t, subs, late }
}

function portal(app: Hono, method: string, path: string, body: unknown, headers = {}): Promise<Response> {
  return Promise.resolve(
    app.request(
      new Request(`http://localhost${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
      undefined,
      { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
    ),
  )
}

/** Every table of the Store interface, as rows sorted by id. */
async function tables(store: Store): Promise<Record<string, unknown[]>> {
  return store.transact(async (tx: Tx) => {
    const out: Record<string, unknown[]> = {}
    for (const { key } of TABLE_SPECS) {
      const rows = (
        await (tx[key as keyof Tx] as unknown as { list(): Promise<{ id: string }[]> }).list()
      ).slice()
      out[key] = rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    }
    return out
  })
}

describe.skipIf(skip)('moving a data dir up to PostgreSQL', () => {
  it('keeps every row, key, sequence and audit entry, and the controller carries on from it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'capd-moveup-'))
    cleanup.push(() => rm(root, { recursive: true, force: true }))
    const dataDir = join(root, 'data')
    const file = join(root, 'move.backup')
    const lowdb = await openLowdbStore(dataDir, () => {}, { snapshotAfterLogBytes: 20_000 })
    const { t, subs, late } = await populate(lowdb)
    const before = await tables(lowdb)
    // A store populated as claimed: every table holds rows.
    expect(TABLE_SPECS.map((s) => s.key).filter((key) => before[key]?.length === 0)).toEqual([])
    expect(before.usagePeriods!.length).toBeGreaterThan(0)
    expect((before.invoices as { kind?: string }[]).some((i) => i.kind === 'credit_note')).toBe(true)

    // Backed up while the controller runs, restored into a new database.
    expect((await run(backupCommand, ['--data', dataDir, '--out', file])).code).toBe(0)
    const db: TestDatabase = await createTestDatabase()
    cleanup.push(() => db.drop())
    const restored = await run(restoreCommand, [file, '--db', db.url])
    expect(restored, restored.out).toMatchObject({ code: 0 })
    expect(restored.out).toMatch(/restored .* 6 subscribers, 9 top-ups, 10 invoices, 2 agents, money in USD/)

    const pgStore = await openPgStore({ url: db.url, max: 4 })
    cleanup.push(() => pgStore.close())
    // Table by table, row by row.
    const after = await tables(pgStore)
    for (const { key } of TABLE_SPECS) expect(after[key], key).toEqual(before[key])
    // And what only a dump shows: idempotency records (in age order), sequences, audit, migrations.
    const { doc } = decodeBackup(await readFile(file), file)
    const dumped = await pgStore.dumpData()
    expect(Object.keys(dumped.idempotency)).toEqual(Object.keys(doc.idempotency as object))
    expect(dumped.idempotency).toEqual(doc.idempotency)
    expect(dumped.sequences).toEqual(doc.sequences)
    expect(dumped.audit).toEqual(doc.audit)
    expect(dumped.audit.length).toBeGreaterThan(20)
    expect(dumped.settings.currency?.value).toBe('USD')

    // What a subscriber looks like through the API, on each store.
    const p = await testApp({ store: pgStore, nowMs: t.clock.now() })
    for (const s of subs) {
      const [a, b] = [
        await t.call('GET', `/subscribers/${s.id}`),
        await p.call('GET', `/subscribers/${s.id}`),
      ]
      expect(b.status).toBe(200)
      expect(b.body).toEqual(a.body)
      expect(b.body.usage.usedBytes).toBeGreaterThan(0)
    }
    // The same key again replays the same top-up and applies nothing twice.
    const again = await p.call(
      'POST',
      `/subscribers/${subs[1].id}/topups`,
      { bytes: 3000, price: usd(50), chargeTo: 'balance', allowTiny: true },
      { 'idempotency-key': 'late-topup' },
    )
    expect(again.status).toBe(201)
    expect(again.body).toEqual(late)
    expect((await p.call('GET', `/subscribers/${subs[1].id}`)).body.balance).toEqual(
      (await t.call('GET', `/subscribers/${subs[1].id}`)).body.balance,
    )
    expect((await tables(pgStore)).topUps).toEqual(before.topUps)
    // The next invoice continues the series without a gap.
    const numbers = (before.invoices as { number: string; kind?: string }[])
      .filter((i) => i.kind !== 'credit_note')
      .map((i) => i.number)
      .sort()
    const last = numbers.at(-1)!
    const next = await p.call(
      'POST',
      `/subscribers/${subs[2].id}/topups`,
      { bytes: 1000, price: usd(100), chargeTo: 'invoice', allowTiny: true },
      { 'idempotency-key': 'after-the-move' },
    )
    expect(next.status).toBe(201)
    const seqOf = (n: string) => Number(n.split('-').at(-1))
    expect(next.body.invoice.number.replace(/\d+$/, '')).toBe(last.replace(/\d+$/, ''))
    expect(seqOf(next.body.invoice.number)).toBe(seqOf(last) + 1)
    await lowdb.close()
  }, 180_000)
})
