/**
 * Two real controllers started with `--db` on one PostgreSQL database: a top-up sold through one
 * is seen by the other, its idempotency key is honoured by both, and a wrong URL or a newer
 * schema stops the program with exit 2 (the unit does not restart-loop on it); a server not
 * reachable yet exits 1, which the unit retries.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPool } from '../../controller/src/store/postgres/open-pg-store.js'
import {
  createTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../../controller/src/testing/pg-database.js'
import { apiClient } from './support/api-client.js'
import { startCapdProgram } from './support/capd-program.js'
import { killAllControllers, startController } from './support/controller-process.js'

const TOKEN = 'pg-e2e-admin-token-0123456789abcdef'
const unavailable = await postgresUnavailable()
if (unavailable && process.env.CI === 'true') throw new Error(`CI=true, so this must run, but ${unavailable}`)

describe.skipIf(unavailable)('controllers on PostgreSQL', () => {
  let db: TestDatabase
  let dataDir: string
  beforeAll(async () => {
    db = await createTestDatabase()
    dataDir = await mkdtemp(join(tmpdir(), 'capd-pg-e2e-'))
  })
  afterAll(async () => {
    await killAllControllers()
    await db?.drop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('serve a top-up end to end, shared by two controllers on one database', async () => {
    const env = { CAPD_BOOTSTRAP_TOKEN: TOKEN }
    // Both start at once: the schema is applied by one, the other waits for it.
    const [one, two] = await Promise.all([
      startController({ dataDir: join(dataDir, 'unused-1'), env, args: ['--db', db.url], timeoutMs: 90_000 }),
      startController({
        dataDir: join(dataDir, 'unused-2'),
        env: { ...env, CAPD_DATABASE_URL: db.url },
        timeoutMs: 90_000,
      }),
    ])
    const a = apiClient(one.baseUrl, TOKEN)
    const b = apiClient(two.baseUrl, TOKEN)
    const plan = await a('POST', '/plans', { name: 'Basic 10 GB', capBytes: 10e9, onCap: 'block' })
    expect(plan.status, JSON.stringify(plan.body)).toBe(201)
    const agent = await b('POST', '/agents', { name: 'tower' })
    expect(agent.status, JSON.stringify(agent.body)).toBe(201)
    const sub = await a('POST', '/subscribers', {
      name: 'Ada',
      login: 'ada',
      planId: plan.body.id,
      agentId: agent.body.id,
      address: '10.0.0.7',
    })
    expect(sub.status, JSON.stringify(sub.body)).toBe(201)
    const id = sub.body.id as string
    const paid = await b('POST', `/subscribers/${id}/payments`, { amount: { amount: 2000, currency: 'USD' } })
    expect(paid.status, JSON.stringify(paid.body)).toBe(201)

    const topUp = { bytes: 1e9, price: { amount: 500, currency: 'USD' }, chargeTo: 'balance' }
    const headers = { 'idempotency-key': 'pg-e2e-topup-1' }
    const [first, again] = await Promise.all([
      a('POST', `/subscribers/${id}/topups`, topUp, headers),
      b('POST', `/subscribers/${id}/topups`, topUp, headers),
    ])
    expect([first.status, again.status], JSON.stringify([first.body, again.body])).toEqual([201, 201])
    expect(again.body.topUp?.id ?? again.body.id).toBe(first.body.topUp?.id ?? first.body.id)

    const topUps = await b('GET', `/subscribers/${id}/topups`)
    expect(topUps.body.items).toHaveLength(1)
    const view = await b('GET', `/subscribers/${id}`)
    expect(view.body.balance).toEqual({ amount: 1500, currency: 'USD' })
    const invoices = await a('GET', `/subscribers/${id}/invoices`)
    expect(invoices.body.items.map((i: { number: string }) => i.number)).toHaveLength(1)
    for (const c of [one, two]) {
      const ready = await fetch(`${c.baseUrl}/readyz`)
      expect(ready.status).toBe(200)
    }
    expect(await one.stop()).toBe(0)
    expect(await two.stop()).toBe(0)
  })

  it('stops with exit 1 (retried) on an unreachable server, exit 2 on a wrong URL, login, database or schema', async () => {
    const exitOf = async (args: string[]) => {
      const proc = await startCapdProgram('controller', {
        args: ['--port', '0', '--host', '127.0.0.1', '--tz', 'UTC', ...args],
        env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
        ready: /never printed/,
        what: 'controller',
        timeoutMs: 20_000,
        live: new Set(),
      }).then(
        () => {
          throw new Error('the controller started')
        },
        (err: Error) => err,
      )
      return proc.message
    }
    const unreachable = await exitOf(['--db', 'postgres://nobody:secret@127.0.0.1:1/capd'])
    expect(unreachable).toMatch(/exited \(code 1\)[\s\S]*cannot reach PostgreSQL[\s\S]*to be retried/)
    expect(unreachable).not.toContain('secret')
    expect(await exitOf(['--db', 'mysql://x'])).toMatch(/exited \(code 2\)[\s\S]*must be a postgres:\/\/ URL/)
    const other = (change: (u: URL) => void) => {
      const u = new URL(db.url)
      change(u)
      return u.toString()
    }
    const missing = await exitOf(['--db', other((u) => (u.pathname = '/capd_no_such_database'))])
    expect(missing).toMatch(/exited \(code 2\)[\s\S]*cannot reach PostgreSQL[\s\S]*does not exist/)
    expect(missing).not.toContain('to be retried')
    const login = await exitOf(['--db', other((u) => (u.username = 'capd_no_such_role'))])
    expect(login).toMatch(/exited \(code 2\)[\s\S]*capd_no_such_role/)
    const pool = await connectPool(db.url, 1)
    await pool.query(`INSERT INTO capd_schema_migrations (version, name) VALUES (999, 'from the future')`)
    await pool.end()
    expect(await exitOf(['--db', db.url])).toMatch(/exited \(code 2\)[\s\S]*schema version 999, newer than/)
  })
})
