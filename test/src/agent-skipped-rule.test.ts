/**
 * One bad rule never stops enforcement on an agent: the real agent process drives a namespace router
 * while the controller hands it a subscriber whose prefix holds another subscriber's address (data an
 * older controller let in). The agent skips that rule, caps the other subscriber to the byte in the
 * kernel, and reports the skipped rule, which the controller shows in GET /api/v1/agents and on the
 * agents page.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { refreshLimit } from '../../controller/src/domain/limits.js'
import { BrowserCaller } from '../../controller/src/testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../../controller/src/testing/test-app.js'
import { type AgentProcess, startAgent, writeAgentConfig } from './support/agent-process.js'
import { MAX_OVERSHOOT, MB, skipStack, stackTitle, waitFor } from './support/capd-stack.js'
import { createNetnsRouter, type NetnsRouter } from './support/netns-router.js'

describe.skipIf(skipStack)(stackTitle('a bad rule beside good ones on a namespace router'), () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  it('skips the overlapping rule, caps the other subscriber in the kernel, and the operator is told', async () => {
    const net: NetnsRouter = await createNetnsRouter({ customers: 2 })
    cleanups.push(() => net.destroy())
    const t = await testApp({ nowMs: Date.now() })
    const server = await t.serve()
    cleanups.push(() => server.close())
    const dir = await mkdtemp(join(tmpdir(), 'capd-skip-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))

    const cap = 20 * MB
    const plan = (await t.call('POST', '/plans', { name: 'Capped', capBytes: cap, onCap: 'block' })).body
    const enrolled = (await t.call('POST', '/agents', { name: 'ns-router' })).body
    const add = async (login: string, address: string) => {
      const body = { name: login, login, planId: plan.id, agentId: enrolled.id, address }
      const res = await t.call('POST', '/subscribers', body)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body as { id: string }
    }
    const a = await add('alice', net.customer(0).ipv4)
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
    const counters = async () => {
      const listing = JSON.parse(
        await net.exec(net.routerNs, ['nft', '-j', 'list', 'counters', 'table', 'inet', 'capd']),
      )
      return (listing.nftables as Array<{ counter?: { name: string } }>).flatMap((i) =>
        i.counter ? [i.counter.name] : [],
      )
    }
    await waitFor('alice is counted at the router', async () => (await counters()).includes(`cd_${a.id}`))

    // Bob arrives later with a valid address, then his row is given a prefix holding Alice's, as an
    // older controller would have accepted, and pushed with a new limit version.
    const b = await add('bob', net.customer(1).ipv4)
    await waitFor('bob is counted at the router', async () => (await counters()).includes(`cd_${b.id}`))
    const wide = `${net.customer(0).ipv4.split('.').slice(0, 2).join('.')}.0.0/16`
    await t.store.transact(async (tx) => {
      const row = (await tx.subscribers.get(b.id))!
      const moved = { ...row, address: wide }
      await tx.subscribers.update(moved)
      await refreshLimit(tx, t.env, moved)
    })
    t.hub.apiHooks().limitsChanged?.([b.id])

    const listed = async () =>
      (
        (await t.call('GET', '/agents')).body.items as Array<{
          id: string
          problems: Array<{ subscriberId: string; code: string; message: string }>
        }>
      ).find((item) => item.id === enrolled.id)!
    await waitFor('the agent reports bob skipped', async () => (await listed()).problems.length > 0)
    expect((await listed()).problems).toEqual([
      {
        subscriberId: b.id,
        code: 'address_overlap',
        message: expect.stringContaining(
          `overlaps subscriber ${a.id} (${net.customer(0).ipv4}), which keeps it`,
        ),
      },
    ])
    await waitFor('bob is no longer at the router', async () => !(await counters()).includes(`cd_${b.id}`))
    expect(await counters()).toContain(`cd_${a.id}`)

    // Alice is still capped to the byte by the kernel, and blocked once she reaches the cap.
    const blast = await net.download(net.customer(0), { bytes: 40 * MB, timeoutMs: 3000 })
    expect(blast.receivedBytes).toBeLessThanOrEqual(cap)
    expect(blast.receivedBytes).toBeGreaterThan(cap - 2 * MB)
    await waitFor(
      'the controller shows alice blocked',
      async () => (await t.call('GET', `/subscribers/${a.id}`)).body.state === 'blocked',
    )
    expect(await net.ping(net.upstreamNs, net.customer(0).ipv4)).toBe(false)
    const booked = (await t.call('GET', `/subscribers/${a.id}`)).body.usage.usedBytes
    expect(booked).toBeGreaterThanOrEqual(cap - MAX_OVERSHOOT)

    // A customer who pays is opened at once, though the bad rule is still there.
    const topUp = await t.call('POST', `/subscribers/${a.id}/topups`, {
      bytes: 10 * MB,
      price: { amount: 500, currency: 'USD' },
    })
    expect(topUp.status).toBe(201)
    await waitFor('alice answers pings again', () => net.ping(net.upstreamNs, net.customer(0).ipv4))
    expect((await net.download(net.customer(0), { bytes: 3 * MB })).receivedBytes).toBe(3 * MB)
    expect((await listed()).problems.map((p) => p.subscriberId)).toEqual([b.id])

    const browser = new BrowserCaller(t.app)
    await browser.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })
    const page = (await browser.get('/agents')).html
    expect(page).toContain('Skipped at the router')
    expect(page).toContain(`<a href="/subscribers/${b.id}">bob</a>`)
    expect(agent.output()).toContain(`skipped at the router: subscriber ${b.id} (${wide}) overlaps`)
  })
})
