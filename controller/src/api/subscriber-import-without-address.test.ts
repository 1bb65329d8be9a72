import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

/** Alice (10.0.0.5) on tower-1 with "Basic 100 GB", an empty tower-2 holding Carol at 10.0.0.5. */
async function seeded() {
  const t = await testApp()
  const { agent, subscriber } = await t.seed()
  const tower2 = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const run = (rows: unknown[], dryRun = false) => t.call('POST', '/subscribers/import', { dryRun, rows })
  return { ...t, agent, tower2, alice: subscriber, run }
}

const ppp = (login: string, overrides: Record<string, unknown> = {}) => ({
  login,
  name: `PPPoE ${login}`,
  plan: 'Basic 100 GB',
  agent: 'tower-1',
  ...overrides,
})

describe('POST /subscribers/import, rows without an address', () => {
  it('creates subscribers known by login, any number on one agent, and a second run finds them unchanged', async () => {
    const t = await seeded()
    const rows = [ppp('pat'), ppp('sam'), ppp('lee', { agent: 'tower-2' })]
    const res = await t.run(rows)
    expect(res.status).toBe(200)
    expect(res.body.counts).toEqual({ create: 3, update: 0, unchanged: 0, refused: 0 })
    const created = Object.values(t.data.subscribers).filter((s) => s.login !== 'alice')
    expect(created).toHaveLength(3)
    for (const s of created) expect(s).not.toHaveProperty('address')
    const before = t.snapshot()
    expect((await t.run(rows)).body.counts).toEqual({ create: 0, update: 0, unchanged: 3, refused: 0 })
    expect(t.snapshot()).toBe(before)
  })

  it('leaves an existing subscriber’s address as it is, as for any empty optional cell', async () => {
    const t = await seeded()
    const res = await t.run([ppp('alice', { name: 'Alice' })])
    expect(res.status).toBe(200)
    expect(res.body.rows[0]).toMatchObject({ outcome: 'unchanged' })
    expect(t.data.subscribers[t.alice.id]?.address).toBe('10.0.0.5')
  })

  it('gives one known by login an address, reported as a change from none', async () => {
    const t = await seeded()
    await t.run([ppp('pat')])
    const res = await t.run([ppp('pat', { address: '10.0.0.9' })])
    expect(res.status).toBe(200)
    expect(res.body.rows[0].changes).toEqual([{ field: 'address', from: null, to: '10.0.0.9' }])
  })

  it('a move to an agent where the kept address is taken is refused naming that address', async () => {
    const t = await seeded()
    await t.call('POST', '/subscribers', {
      name: 'Carol',
      login: 'carol',
      planId: t.data.subscribers[t.alice.id]!.planId,
      agentId: t.tower2.id,
      address: '10.0.0.5',
    })
    const before = t.snapshot()
    const res = await t.run([ppp('alice', { name: 'Alice', agent: 'tower-2' })])
    expect(res.status).toBe(422)
    expect(res.body.rows[0].problems).toEqual([
      {
        path: 'address',
        message: 'address 10.0.0.5 already belongs to subscriber "carol" on agent "tower-2"',
      },
    ])
    expect(t.snapshot()).toBe(before)
  })

  it('refuses an empty-string address as a bad value, naming the field', async () => {
    const t = await seeded()
    const before = t.snapshot()
    const res = await t.run([ppp('pat', { address: '' })])
    expect(res.status).toBe(422)
    expect(res.body.rows[0].problems).toEqual([{ path: 'address', message: expect.any(String) }])
    expect(t.snapshot()).toBe(before)
  })
})
