/**
 * Direction end to end: a controller whose plans count download only or upload only, the real agent
 * process and a namespace router with nftables, real packets. Traffic the other way passes without
 * spending the allowance however much of it there is; the counted way is stopped by the kernel quota
 * within one packet of the cap, the agent blocks the subscriber, and the controller books exactly
 * the counted direction's kernel counter.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { testApp } from '../../controller/src/testing/test-app.js'
import { type AgentProcess, startAgent, writeAgentConfig } from './support/agent-process.js'
import { MAX_OVERSHOOT, MB, skipStack, stackTitle, waitFor } from './support/capd-stack.js'
import { createNetnsRouter, type NetnsRouter } from './support/netns-router.js'

describe.skipIf(skipStack)(stackTitle('direction on a namespace router, end to end'), () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  it('blocks a download-only and an upload-only subscriber exactly when their counted way reaches the cap', async () => {
    const net: NetnsRouter = await createNetnsRouter({ customers: 2 })
    cleanups.push(() => net.destroy())
    const t = await testApp({ nowMs: Date.now() })
    const server = await t.serve()
    cleanups.push(() => server.close())
    const dir = await mkdtemp(join(tmpdir(), 'capd-direction-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))

    const cap = 10 * MB
    const enrolled = (await t.call('POST', '/agents', { name: 'ns-router' })).body
    const subscriberCounting = async (count: 'down' | 'up', index: number) => {
      const plan = (await t.call('POST', '/plans', { name: `${count} only`, capBytes: cap, onCap: 'block' }))
        .body as { id: string }
      // The plan form is another part's; the store takes the field as the plan API will.
      await t.store.transact(async (tx) => {
        const row = (await tx.plans.get(plan.id))!
        await tx.plans.update({ ...row, count })
      })
      const login = `${count}-only`
      const body = {
        name: login,
        login,
        planId: plan.id,
        agentId: enrolled.id,
        address: net.customer(index).ipv4,
      }
      const res = await t.call('POST', '/subscribers', body)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return { id: (res.body as { id: string }).id, customer: net.customer(index), count }
    }
    const down = await subscriberCounting('down', 0)
    const up = await subscriberCounting('up', 1)

    const configPath = join(dir, 'agent.json')
    await writeAgentConfig(configPath, {
      controller: `ws://127.0.0.1:${server.port}`,
      token: enrolled.token,
      stateDir: join(dir, 'state'),
      pollIntervalMs: 300,
      fastPollIntervalMs: 100,
      router: { kind: 'nftables', netns: net.routerNs },
    })
    const agent: AgentProcess = await startAgent(configPath)
    cleanups.push(() => agent.kill())
    const kernel = async () => {
      const listing = JSON.parse(
        await net.exec(net.routerNs, ['nft', '-j', 'list', 'counters', 'table', 'inet', 'capd']),
      ) as { nftables: Array<{ counter?: { name: string; bytes: number } }> }
      return new Map(listing.nftables.flatMap((i) => (i.counter ? [[i.counter.name, i.counter.bytes]] : [])))
    }
    const counted = async (s: typeof down) => (await kernel()).get(`c${s.count[0]}_${s.id}`)
    await waitFor('both counted at the router', async () => {
      const names = await kernel()
      return names.has(`cd_${down.id}`) && names.has(`cd_${up.id}`)
    })
    const subscriber = async (id: string) =>
      (await t.call('GET', `/subscribers/${id}`)).body as { state: string; usage: { usedBytes: number } }

    for (const s of [down, up]) {
      const [countedWay, otherWay] =
        s.count === 'down' ? (['download', 'upload'] as const) : (['upload', 'download'] as const)
      // Twice the cap the other way: all of it passes, and the subscriber stays open.
      const other = await net[otherWay](s.customer, { bytes: 2 * cap })
      expect(other.receivedBytes, `${s.count}-only: ${otherWay} past the cap`).toBe(2 * cap)
      await waitFor(`${s.count}-only: the controller booked what the kernel counted`, async () => {
        return (await subscriber(s.id)).usage.usedBytes === (await counted(s))
      })
      const before = await subscriber(s.id)
      expect(before.state).toBe('open')
      expect(before.usage.usedBytes, 'only acknowledgements travelled the counted way').toBeLessThan(MB)
      expect(await net.ping(net.upstreamNs, s.customer.ipv4)).toBe(true)

      // The counted way far past the cap: stopped within one packet, and the agent blocks.
      const blast = await net[countedWay](s.customer, { bytes: 40 * MB, protocol: 'udp', timeoutMs: 3000 })
      expect(blast.receivedBytes - (cap - before.usage.usedBytes)).toBeLessThanOrEqual(MAX_OVERSHOOT)
      await waitFor(
        `${s.count}-only: shown blocked`,
        async () => (await subscriber(s.id)).state === 'blocked',
      )
      expect(await net.ping(net.upstreamNs, s.customer.ipv4)).toBe(false)
      expect(
        (await net[otherWay](s.customer, { bytes: MB, protocol: 'udp', timeoutMs: 1000 })).receivedBytes,
      ).toBe(0)
      await waitFor(`${s.count}-only: booked settles on the kernel`, async () => {
        return (await subscriber(s.id)).usage.usedBytes === (await counted(s))
      })
      const booked = (await subscriber(s.id)).usage.usedBytes
      console.info(
        `${s.count}-only: ${otherWay} ${other.receivedBytes} passed; ${countedWay} blast delivered ${blast.receivedBytes}; booked ${booked} of ${cap}`,
      )
      expect(booked).toBeLessThanOrEqual(cap)
      expect(booked).toBeGreaterThan(cap - MAX_OVERSHOOT)
    }
  })
})
