/**
 * Agents reconnecting together: each gets its sync, but the transactions that read their whole
 * state run a few at a time, so a hundred hellos never wait on the database's connection pool
 * all at once (where each would give up after the pool's timeout).
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import type { Store } from '../store/store.js'
import { connectAgent, hello } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

describe('sync reads', () => {
  it('run at most three at a time when twenty agents say hello at once, and each is answered', async () => {
    const inner = new DocumentStore(emptyData(), null)
    let inFlight = 0
    let most = 0
    const store: Store = Object.create(inner, {
      transact: {
        value: async <T>(fn: Parameters<Store['transact']>[0]): Promise<T> => {
          inFlight++
          most = Math.max(most, inFlight)
          try {
            // As a round trip to a database server would, the transaction takes a while.
            await new Promise((resolve) => setTimeout(resolve, 20))
            return (await inner.transact(fn)) as T
          } finally {
            inFlight--
          }
        },
      },
    })
    const t = await testApp({ store })
    const agents = []
    for (let i = 0; i < 20; i++) agents.push((await t.call('POST', '/agents', { name: `tower-${i}` })).body)
    const server = await t.serve()
    onTestFinished(() => server.close())
    const clients = await Promise.all(agents.map((a) => connectAgent(server.wsUrl, a.token)))
    onTestFinished(() => {
      for (const c of clients) c.close()
    })
    most = 0
    // Agents with no subscribers: the hellos' transactions are the only ones.
    for (const [i, c] of clients.entries()) c.send(hello(agents[i]!.id))
    const syncs = await Promise.all(clients.map((c) => c.next('sync')))
    expect(syncs).toHaveLength(20)
    expect(most).toBeGreaterThan(1)
    expect(most).toBeLessThanOrEqual(3)
  })
})
