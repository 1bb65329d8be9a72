/**
 * Direction and throttle rates on RouterOS, end to end: a controller whose plans count one way and
 * throttle to a percentage of the plan's rates, the agent with the RouterOS driver, and the RouterOS
 * peer over real TCP. The router has no kernel quota here: the agent polls the queue counters and
 * decides, so bytes the other way never bring the cap closer, and the queue's `max-limit` carries
 * both throttle rates in RouterOS's upload/download order.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent/src/agent.js'
import { loadAgentConfig } from '../../agent/src/config.js'
import { createRouterOsDriver } from '../../agent/src/drivers/routeros/routeros-driver.js'
import type { Plan } from '../../controller/src/store/entities.js'
import { testApp } from '../../controller/src/testing/test-app.js'
import { startRouterOsPeer } from './support/routeros-peer/index.js'
import { waitFor } from './support/wait-for.js'

const MB = 1_000_000
const USERS = { capd: 'capd-secret' }

describe('direction and throttle rates against the RouterOS peer', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  it('blocks a download-only subscriber on its download alone, and throttles an upload-only one at 10 % each way', {
    timeout: 90_000,
  }, async () => {
    const peer = await startRouterOsPeer({ users: USERS })
    cleanups.push(() => peer.close())
    const t = await testApp({ nowMs: Date.now() })
    const server = await t.serve()
    cleanups.push(() => server.close())
    const dir = await mkdtemp(join(tmpdir(), 'capd-ros-direction-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))

    const enrolled = (await t.call('POST', '/agents', { name: 'mikrotik-1' })).body
    const cap = 10 * MB
    const subscriber = async (login: string, address: string, fields: Partial<Plan>) => {
      const plan = (await t.call('POST', '/plans', { name: login, capBytes: cap, onCap: 'block' })).body
      // The plan form is another part's; the store takes the fields as the plan API will.
      await t.store.transact(async (tx) => {
        const row = (await tx.plans.get(plan.id))!
        await tx.plans.update({ ...row, ...fields })
      })
      const body = { name: login, login, planId: plan.id, agentId: enrolled.id, address }
      const res = await t.call('POST', '/subscribers', body)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return (res.body as { id: string }).id
    }
    const downOnly = await subscriber('dora', '10.0.0.5', { count: 'down' })
    const upOnly = await subscriber('umar', '10.0.0.6', {
      count: 'up',
      onCap: 'throttle',
      throttleKbps: 2000,
      capAction: { kind: 'throttle_percent', percent: 10 },
      rateDownKbps: 20_000,
      rateUpKbps: 5_000,
    })

    const config = await loadAgentConfig({
      controller: `ws://127.0.0.1:${server.port}`,
      token: enrolled.token,
      stateDir: join(dir, 'agent-state'),
      pollIntervalMs: 200,
      fastPollIntervalMs: 100,
      router: { kind: 'simulated' },
    })
    const driver = createRouterOsDriver({
      host: peer.host,
      port: peer.port,
      user: 'capd',
      password: USERS.capd,
      timeoutMs: 3000,
    })
    const { logger } = memoryLogger()
    const agent = await Agent.start(config, driver, { logger })
    cleanups.push(() => agent.stop())
    const queue = (id: string) => peer.state.queues.items.find((q) => q.name === `capd:${id}`)
    const blocked = () =>
      peer.state.addressLists.items.filter((e) => e.list === 'capd-blocked').map((e) => e.address)
    const booked = async (id: string) =>
      (await t.call('GET', `/subscribers/${id}`)).body as { state: string; usage: { usedBytes: number } }
    await waitFor('both queues on the router', () => Boolean(queue(downOnly) && queue(upOnly)))
    await waitFor('the agent holds both', () => {
      const books = agent.snapshot().books
      return books[downOnly] !== undefined && books[upOnly] !== undefined
    })

    // Three caps the uncounted way and a little the counted way: booked is the counted way only.
    peer.addBytes(`capd:${downOnly}`, 30 * MB, 2 * MB)
    peer.addBytes(`capd:${upOnly}`, 2 * MB, 30 * MB)
    for (const id of [downOnly, upOnly]) {
      await waitFor(`${id} booked 2 MB`, async () => (await booked(id)).usage.usedBytes === 2 * MB)
      expect((await booked(id)).state).toBe('open')
    }
    expect(blocked()).toEqual([])
    expect(queue(upOnly)!['max-limit']).toBe('0/0')

    // The counted way reaches the cap: the download-only one is blocked, the upload-only one throttled.
    peer.addBytes(`capd:${downOnly}`, 0, 8 * MB)
    peer.addBytes(`capd:${upOnly}`, 8 * MB, 0)
    await waitFor('dora in capd-blocked', () => blocked().includes('10.0.0.5'))
    // 10 % of 20 Mbit/s down and 5 Mbit/s up, as RouterOS writes it: upload/download in bits/s.
    await waitFor('umar throttled', () => queue(upOnly)!['max-limit'] === '500000/2000000')
    await waitFor('the controller shows both', async () => {
      return (await booked(downOnly)).state === 'blocked' && (await booked(upOnly)).state === 'throttled'
    })
    expect(blocked()).toEqual(['10.0.0.5'])
    expect(queue(downOnly)!['max-limit']).toBe('0/0')
    expect((await booked(downOnly)).usage.usedBytes).toBe(cap)
    expect((await booked(upOnly)).usage.usedBytes).toBe(cap)
  })
})
