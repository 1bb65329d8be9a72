import { silentLogger } from '@capd/log'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentWatch } from '../notify/agent-watch.js'
import { pgSkipReason } from '../store/postgres/pg-test-kit.js'
import { type PgController, pgControllers } from '../testing/pg-controllers.js'
import { connectAgent, hello } from '../testing/test-agent.js'

const skip = await pgSkipReason()
const STALE_MS = 1500

describe.skipIf(skip !== undefined)(
  `agent presence shared by controllers${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let fixture: Awaited<ReturnType<typeof pgControllers>>
    let a: PgController
    let b: PgController
    beforeAll(async () => {
      fixture = await pgControllers(2, { presenceStaleMs: STALE_MS })
      ;[a, b] = fixture.controllers as [PgController, PgController]
    })
    afterAll(() => fixture?.end())

    const enrol = async (name: string) => {
      const res = await a.call('POST', '/agents', { name })
      expect(res.status).toBe(201)
      return res.body as { id: string; token: string }
    }
    const connectedOn = async (c: PgController, agentId: string) => {
      await c.running.hub.renewPresence()
      const items = (await c.call('GET', '/agents')).body.items as Array<{ id: string; connected: boolean }>
      return items.find((i) => i.id === agentId)?.connected
    }
    const greet = async (c: PgController, agent: { id: string; token: string }, epoch = 'e1') => {
      const client = await connectAgent(c.wsUrl, agent.token)
      client.send(hello(agent.id, epoch))
      await client.next('sync')
      await c.running.hub.drain()
      return client
    }

    it('shows an agent connected through B as connected on A, and not once it left', async () => {
      const agent = await enrol('tower-b')
      expect(await connectedOn(a, agent.id)).toBe(false)
      const client = await greet(b, agent)
      expect(await connectedOn(b, agent.id)).toBe(true)
      expect(await connectedOn(a, agent.id)).toBe(true)
      const seen = (await a.call('GET', `/agents/${agent.id}`)).body
      expect(seen.connected).toBe(true)
      expect(seen.lastSeenAt).not.toBeNull()
      client.close()
      await client.closed
      await b.running.hub.drain()
      expect(await connectedOn(a, agent.id)).toBe(false)
      expect(await connectedOn(b, agent.id)).toBe(false)
    })

    it('closes the older connection (4001 replaced) when the same agent connects to the other controller', async () => {
      const agent = await enrol('tower-twice')
      const first = await greet(a, agent)
      const second = await greet(b, agent)
      // A learns at its next renewal (every 5 s on its timer; here at once).
      await a.running.hub.renewPresence()
      expect((await first.next('error')).code).toBe('replaced')
      expect((await first.closed).code).toBe(4001)
      await a.running.hub.drain()
      // The newer one stays, and A (whose session ended) still shows the agent connected via B.
      await b.running.hub.renewPresence()
      expect(b.running.hub.isConnected(agent.id)).toBe(true)
      expect(await connectedOn(a, agent.id)).toBe(true)
      second.close()
      await second.closed
    })

    it('ends presence when its controller stops renewing (a killed controller)', async () => {
      const agent = await enrol('tower-stale')
      // A row written as a controller that then died would leave it: claimed, never renewed.
      await b.store.agentPresence.claim(agent.id, 'dead-controller-session')
      expect(await connectedOn(a, agent.id)).toBe(true)
      await new Promise((r) => setTimeout(r, STALE_MS + 200))
      expect(await connectedOn(a, agent.id)).toBe(false)
    })

    it('raises the offline alert only when no controller has the agent, once across controllers', async () => {
      // Agents of the tests above really are offline: revoked, so only this one is watched.
      for (const other of (await a.call('GET', '/agents')).body.items as Array<{ id: string }>) {
        expect((await a.call('POST', `/agents/${other.id}/revoke`)).status).toBe(200)
      }
      const agent = await enrol('tower-watch')
      const client = await greet(b, agent)
      const watch = (c: PgController) =>
        new AgentWatch({
          store: c.store,
          env: c.env,
          logger: silentLogger,
          isConnected: (id) => c.running.hub.isConnectedNow(id),
          offlineMinutes: 10,
          startedAtMs: 0,
        })
      a.env.clock.advance(11 * 60_000)
      // Silent for 11 minutes by the books, but connected through B: no alert from A.
      expect(await watch(a).pass()).toBe(0)
      client.close()
      await client.closed
      await b.running.hub.drain()
      const [fromA, fromB] = await Promise.all([watch(a).pass(), watch(b).pass()])
      expect(fromA + fromB).toBe(1)
      expect(await watch(a).pass()).toBe(0)
    })
  },
)
