import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

/** Alice (10.0.0.5) on tower-1 with "Basic 100 GB", an empty tower-2 and a "Home 50" plan. */
async function seeded() {
  const t = await testApp()
  const { plan, agent, subscriber } = await t.seed()
  const tower2 = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const home = (await t.call('POST', '/plans', { name: 'Home 50', capBytes: 50e9, onCap: 'block' })).body
  const run = (rows: unknown[], dryRun = false) => t.call('POST', '/subscribers/import', { dryRun, rows })
  return { ...t, plan, agent, tower2, home, alice: subscriber, run }
}

const row = (n: number, overrides: Record<string, unknown> = {}) => ({
  login: `cust${n}`,
  name: `Customer ${n}`,
  address: `10.1.${n >> 8}.${n & 255}`,
  plan: 'Basic 100 GB',
  agent: 'tower-1',
  ...overrides,
})

describe('POST /subscribers/import', () => {
  it('creates new logins, updates changed ones, leaves the rest, in one go', async () => {
    const t = await seeded()
    const res = await t.run([
      row(1),
      { login: 'alice', name: 'Alice Smith', address: '10.0.0.5', plan: 'home 50', agent: 'TOWER-1' },
      row(2, { email: 'c2@example.net', billingDay: 15 }),
    ])
    expect(res.status).toBe(200)
    expect(res.body.applied).toBe(true)
    expect(res.body.counts).toEqual({ create: 2, update: 1, unchanged: 0, refused: 0 })
    expect(res.body.rows[1]).toMatchObject({
      index: 1,
      login: 'alice',
      outcome: 'update',
      changes: [
        { field: 'name', from: 'Alice', to: 'Alice Smith' },
        { field: 'plan', from: 'Basic 100 GB', to: 'Home 50' },
      ],
    })
    const list = (await t.call('GET', '/subscribers?limit=10')).body.items
    expect(list.map((s: { login: string }) => s.login).sort()).toEqual(['alice', 'cust1', 'cust2'])
    const c2 = list.find((s: { login: string }) => s.login === 'cust2')
    expect(c2).toMatchObject({ email: 'c2@example.net', billingDay: 15, planId: t.plan.id })
  })

  it('is idempotent: the same file again changes nothing and reports every row unchanged', async () => {
    const t = await seeded()
    const rows = [row(1), row(2, { phone: '+254 712 345 678' }), row(3, { agent: t.tower2.id })]
    expect((await t.run(rows)).body.counts.create).toBe(3)
    const before = t.snapshot()
    const again = await t.run(rows)
    expect(again.status).toBe(200)
    expect(again.body.counts).toEqual({ create: 0, update: 0, unchanged: 3, refused: 0 })
    expect(t.snapshot()).toBe(before)
    const total = (await t.call('GET', '/subscribers?limit=10')).body.items.length
    expect(total).toBe(4)
  })

  it('a dry run reports what would happen and leaves the store byte for byte as it was', async () => {
    const t = await seeded()
    const before = t.snapshot()
    const res = await t.run([row(1), { ...row(2), login: 'alice', address: '10.0.0.5' }], true)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ dryRun: true, applied: false })
    expect(res.body.counts).toEqual({ create: 1, update: 1, unchanged: 0, refused: 0 })
    expect(t.snapshot()).toBe(before)
  })

  it('refuses the whole import (422, nothing changed) when one row is refused, naming each', async () => {
    const t = await seeded()
    const before = t.snapshot()
    const res = await t.run([
      { ...row(1), line: 2 },
      { ...row(2), line: 3, address: '10.0.0.0/24' },
      { ...row(3), line: 4, plan: 'Gold' },
      { ...row(4), line: 5, email: 'not-an-address' },
      { ...row(5), line: 6, login: 'CUST1' },
      { ...row(6), line: 7, address: '10.1.0.1' },
      { ...row(7), line: 8, agent: 'tower-9' },
    ])
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('rows_refused')
    expect(res.body.applied).toBe(false)
    expect(res.body.counts).toEqual({ create: 1, update: 0, unchanged: 0, refused: 6 })
    const problems = res.body.rows.map((r: { problems?: unknown }) => r.problems)
    expect(problems[1]).toEqual([
      {
        path: 'address',
        message: 'address 10.0.0.0/24 overlaps 10.0.0.5 of subscriber "alice" on agent "tower-1"',
      },
    ])
    expect(problems[2]).toEqual([{ path: 'plan', message: 'no plan is named "Gold"' }])
    expect(problems[3]).toEqual([{ path: 'email', message: expect.any(String) }])
    expect(problems[4]).toEqual([
      { path: 'login', message: 'login "CUST1" is also on line 2; each login once per file' },
    ])
    expect(problems[5]).toEqual([
      {
        path: 'address',
        message: 'address 10.1.0.1 already belongs to subscriber "cust1" (line 2) on agent "tower-1"',
      },
    ])
    expect(problems[6]).toEqual([{ path: 'agent', message: expect.stringContaining('"tower-9"') }])
    expect(t.snapshot()).toBe(before)
  })

  it('moves an existing subscriber to another agent and address as PATCH does, and pushes the change', async () => {
    const t = await seeded()
    const pushed: string[][] = []
    t.store.onCommit((commit) => pushed.push([...commit.subscriberIds]))
    const res = await t.run([
      { ...row(1), login: 'alice', name: 'Alice', address: '10.9.0.1', agent: 'tower-2' },
    ])
    expect(res.body.rows[0].changes).toEqual([
      { field: 'agent', from: 'tower-1', to: 'tower-2' },
      { field: 'address', from: '10.0.0.5', to: '10.9.0.1' },
    ])
    expect(pushed).toEqual([[t.alice.id]])
    const alice = (await t.call('GET', `/subscribers/${t.alice.id}`)).body
    expect(alice).toMatchObject({ agentId: t.tower2.id, address: '10.9.0.1' })
  })

  it('renumbers in any row order: a row waits for the row that moves the holder of its address', async () => {
    const t = await seeded()
    const n = 6
    const existing = Array.from({ length: n }, (_, i) => row(100 + i, { address: `10.5.0.${i + 1}` }))
    expect((await t.run(existing)).body.counts.create).toBe(n)
    // Each takes the next one's address, the last a free one: in file order every row but the last
    // finds its new address still held; shuffled, some do.
    const shifted = existing.map((r, i) => ({ ...r, address: `10.5.0.${i + 2}` }))
    for (const order of [shifted, [...shifted].reverse(), [...shifted].sort(() => Math.random() - 0.5)]) {
      const t2 = await seeded()
      await t2.run(existing)
      const res = await t2.run(order)
      expect(res.status).toBe(200)
      expect(res.body.counts).toEqual({ create: 0, update: n, unchanged: 0, refused: 0 })
      expect(res.body.rows.map((r: { login: string }) => r.login)).toEqual(order.map((r) => r.login))
    }
  })

  it('refuses a swap of two addresses, each row naming the other', async () => {
    const t = await seeded()
    await t.run([row(1), row(2)])
    const before = t.snapshot()
    const res = await t.run([
      { ...row(1), line: 2, address: row(2).address },
      { ...row(2), line: 3, address: row(1).address },
    ])
    expect(res.status).toBe(422)
    expect(res.body.rows.map((r: { problems: { message: string }[] }) => r.problems[0]!.message)).toEqual([
      `address ${row(2).address} already belongs to subscriber "cust2" on agent "tower-1"`,
      `address ${row(1).address} already belongs to subscriber "cust1" on agent "tower-1"`,
    ])
    expect(t.snapshot()).toBe(before)
  })

  it("refuses a row for a deleted subscriber's login rather than bringing it back", async () => {
    const t = await seeded()
    expect((await t.call('DELETE', `/subscribers/${t.alice.id}`)).status).toBe(200)
    const before = t.snapshot()
    const res = await t.run([{ ...row(1), login: 'alice' }])
    expect(res.status).toBe(422)
    expect(res.body.rows[0].problems).toEqual([
      { path: 'login', message: expect.stringContaining('was deleted') },
    ])
    expect(t.snapshot()).toBe(before)
  })

  it('refuses a body that is not an import before reading rows', async () => {
    const t = await seeded()
    expect((await t.call('POST', '/subscribers/import', { rows: [row(1)] })).status).toBe(400)
    expect((await t.call('POST', '/subscribers/import', { dryRun: true, rows: [] })).status).toBe(400)
  })

  it('takes bodies past the API-wide limit on this route only', async () => {
    const t = await seeded()
    const rows = Array.from({ length: 1500 }, (_, i) => row(i + 1, { notes: 'x'.repeat(40) }))
    expect(JSON.stringify({ rows }).length).toBeGreaterThan(64 * 1024)
    const res = await t.run(rows, true)
    expect(res.status).toBe(200)
    expect(res.body.counts.create).toBe(1500)
    const big = await t.call('POST', '/plans', { name: 'x'.repeat(70 * 1024), capBytes: 1e9, onCap: 'block' })
    expect(big.status).toBe(413)
  })
})

describe('POST /subscribers/import, randomized', () => {
  it('refuses exactly the rows made bad, and changes nothing', async () => {
    for (let round = 0; round < 5; round++) {
      const t = await seeded()
      const n = 30 + Math.floor(Math.random() * 50)
      const rows: Record<string, unknown>[] = Array.from({ length: n }, (_, i) => row(i + 1))
      const bad = new Set<number>()
      const spoilers = [
        (r: Record<string, unknown>) => ({ ...r, plan: 'No such plan' }),
        (r: Record<string, unknown>) => ({ ...r, agent: 'nowhere' }),
        (r: Record<string, unknown>) => ({ ...r, address: '127.0.0.1' }),
        (r: Record<string, unknown>) => ({ ...r, address: '10.0.0.5' }),
        (r: Record<string, unknown>) => ({ ...r, login: 'has space' }),
        (r: Record<string, unknown>) => ({ ...r, name: '' }),
        (r: Record<string, unknown>) => ({ ...r, billingDay: 40 }),
      ]
      for (let k = 0; k < 1 + Math.floor(Math.random() * 8); k++) {
        const at = Math.floor(Math.random() * n)
        const spoil = spoilers[Math.floor(Math.random() * spoilers.length)]!
        rows[at] = spoil(rows[at]!)
        bad.add(at)
      }
      const before = t.snapshot()
      const res = await t.run(rows)
      expect(res.status).toBe(422)
      const refused = res.body.rows
        .filter((r: { outcome: string }) => r.outcome === 'refused')
        .map((r: { index: number }) => r.index)
      expect(refused).toEqual([...bad].sort((a, b) => a - b))
      expect(t.snapshot()).toBe(before)
    }
  })
})
