/**
 * Agents reconnecting together: each gets its sync, but the transactions that read their whole
 * state run a few at a time, so a hundred hellos never wait on the database's connection pool
 * all at once (where each would give up after the pool's timeout).
 */
import { silentLogger } from '@capd/log'
import { PROTOCOL_VERSION } from '@capd/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { AgentWatch } from '../notify/agent-watch.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import type { Store } from '../store/store.js'
import { connectAgent, hello } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

/** An embedded store whose transactions take a while, as round trips to a database server would. */
function slowStore() {
  const inner = new DocumentStore(emptyData(), null)
  const counts = { inFlight: 0, most: 0 }
  const store: Store = Object.create(inner, {
    transact: {
      value: async <T>(fn: Parameters<Store['transact']>[0]): Promise<T> => {
        counts.inFlight++
        counts.most = Math.max(counts.most, counts.inFlight)
        try {
          await new Promise((resolve) => setTimeout(resolve, 20))
          return (await inner.transact(fn)) as T
        } finally {
          counts.inFlight--
        }
      },
    },
  })
  return { store, counts }
}

async function towers(count: number, store: Store) {
  const t = await testApp({ store })
  const agents: { id: string; token: string }[] = []
  for (let i = 0; i < count; i++) agents.push((await t.call('POST', '/agents', { name: `tower-${i}` })).body)
  const server = await t.serve()
  onTestFinished(() => server.close())
  const connect = async () => {
    const clients = await Promise.all(agents.map((a) => connectAgent(server.wsUrl, a.token)))
    onTestFinished(() => {
      for (const c of clients) c.close()
    })
    return clients
  }
  return { t, agents, connect }
}

describe('sync reads', () => {
  it('run at most three at a time when twenty agents say hello at once, and each is answered', async () => {
    const { store, counts } = slowStore()
    const { agents, connect } = await towers(20, store)
    const clients = await connect()
    counts.most = 0
    // Agents with no subscribers: the hellos' transactions are the only ones.
    for (const [i, c] of clients.entries()) c.send(hello(agents[i]!.id))
    const syncs = await Promise.all(clients.map((c) => c.next('sync')))
    expect(syncs).toHaveLength(20)
    expect(counts.most).toBeGreaterThan(1)
    expect(counts.most).toBeLessThanOrEqual(3)
  })

  it('a hello waiting for its turn still answers the offline alert with "back", whatever the agent sends meanwhile', async () => {
    const { store } = slowStore()
    const { t, agents, connect } = await towers(8, store)
    const first = await connect()
    for (const [i, c] of first.entries()) {
      c.send(hello(agents[i]!.id))
      await c.next('sync')
    }
    for (const c of first) c.close()
    await t.hub.drain()
    const watch = new AgentWatch({
      store,
      env: t.env,
      logger: silentLogger,
      isConnected: () => false,
      offlineMinutes: 10,
    })
    t.clock.advance(11 * 60_000)
    expect(await watch.pass()).toBe(8)
    t.clock.advance(60_000)
    const again = await connect()
    for (const [i, c] of again.entries()) c.send(hello(agents[i]!.id))
    await new Promise((resolve) => setTimeout(resolve, 5))
    // Heard while the hellos wait their turn: "last seen" must not move before the hello reads it.
    for (const c of again)
      c.send({ v: PROTOCOL_VERSION, type: 'error', code: 'poll_failed', message: 'busy' })
    await Promise.all(again.map((c) => c.next('sync')))
    await t.hub.drain()
    const back = await store.peek(async (tx) =>
      (await tx.notifications.list()).filter((n) => n.event === 'agent.back'),
    )
    expect(back.map((n) => n.agentId).sort()).toEqual(agents.map((a) => a.id).sort())
  })
})
