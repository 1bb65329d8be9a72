/**
 * The agent on a Linux BRAS: a subscriber the controller knows by login alone logs in, re-logs in
 * on another session interface and address, and is capped there; the agent's books hold exactly
 * the bytes an independent nft count saw on both addresses. veth `ppp0`/`ppp1` stand for the PPP
 * session interfaces (no PPP in this kernel); a script prints the sessions the test writes.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agentToken, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent/src/agent.js'
import { loadAgentConfig } from '../../agent/src/config.js'
import { createDriver } from '../../agent/src/drivers/create-driver.js'
import { fakeController } from '../../agent/src/testing-fake-controller.js'
import { createAuditCounters } from './support/audit-counter.js'
import { createNetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { waitFor } from './support/wait-for.js'

const unavailable = await netnsUnavailableReason()
const mustRun = process.env.CI === 'true'
if (unavailable && !mustRun) console.warn(`agent BRAS test skipped: ${unavailable}`)
const title = `agent on a BRAS${unavailable && !mustRun ? ` (skipped: ${unavailable})` : ''}`

const MB = 1_000_000
const DAY = 86_400_000
/** Bytes past the cap the kernel quota may let through: at most one (GRO) packet. */
const MAX_OVERSHOOT = 64 * 1024

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

describe.skipIf(unavailable !== undefined && !mustRun)(title, () => {
  it('books a re-login exactly once, caps it on the new address and restores it on a top-up', async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    const net = await createNetnsRouter({ customers: 2, interfacePrefix: 'ppp' })
    cleanup.push(() => net.destroy())
    const [c0, c1] = [net.customer(0), net.customer(1)]
    const [A, B] = [c0.ipv4, c1.ipv4]
    const audit = await createAuditCounters(net)
    await audit.watch(A)
    await audit.watch(B)

    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-bras-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const script = join(dir, 'list-sessions')
    await writeFile(script, `#!/bin/sh\ncat '${dir}/sessions'\n`)
    await chmod(script, 0o755)
    const sessionsAre = (...lines: string[]) =>
      writeFile(join(dir, 'sessions'), lines.map((l) => `${l}\n`).join(''))
    await sessionsAre(`alice ${A} ppp0`)

    const limit = (limitBytes: number, limitVersion: number, usedBytes = 0): SubscriberLimit => ({
      subscriberId: 'sub_alice',
      login: 'alice',
      periodStart: new Date(Date.now() - DAY).toISOString(),
      periodEnd: new Date(Date.now() + 20 * DAY).toISOString(),
      limitBytes,
      usedBytes,
      limitVersion,
      onCap: 'block',
    })
    const controller = await fakeController((socket) =>
      socket.send(
        JSON.stringify({
          v: PROTOCOL_VERSION,
          type: 'sync',
          serverTimeMs: Date.now(),
          subscribers: [limit(5 * MB, 1)],
        }),
      ),
    )
    cleanup.push(() => controller.close())
    const config = await loadAgentConfig({
      controller: controller.url,
      token: agentToken('agt_bras', 'agent-bras-test-secret-0123456789'),
      stateDir: join(dir, 'state'),
      pollIntervalMs: 300,
      fastPollIntervalMs: 100,
      linkSpeedMbps: 1_000_000,
      router: { kind: 'nftables', netns: net.routerNs, sessions: { kind: 'command', argv: [script] } },
    })
    const agent = await Agent.start(config, await createDriver(config))
    cleanup.push(() => agent.stop())
    const book = () => agent.snapshot().books.sub_alice
    /** The address is in alice's download counter map, as nft lists it. */
    const countedAt = async (address: string) =>
      (await net.exec(net.routerNs, ['nft', 'list', 'map', 'inet', 'capd', 'cd4'])).includes(
        `${address} : "cd_sub_alice"`,
      )
    /** alice's bytes by the independent count: A's until she left it, and B's. */
    let onA: number | undefined
    const auditedTotal = async () => {
      const totals = await audit.totals()
      return (onA ?? totals.get(A)!) + totals.get(B)!
    }

    await waitFor('alice counted at her first address', () => countedAt(A))
    const first = await net.download(c0, { bytes: MB })
    expect(first.receivedBytes).toBe(MB)

    // Re-login: the next poll moves her to B (and lets A go).
    await sessionsAre(`alice ${B} ppp1`)
    await waitFor('alice counted at her new address', () => countedAt(B))
    expect(await countedAt(A)).toBe(false)
    // Whatever reaches A from now on is someone else's (the ping below).
    onA = (await audit.totals()).get(A)!
    const second = await net.download(c1, { bytes: MB })
    expect(second.receivedBytes).toBe(MB)
    await agent.pollNow()
    expect(book()!.usedBytes).toBe(await auditedTotal())

    // Past the cap on B: blocked there, within one packet of the allowance; A is no longer hers.
    await net.download(c1, { bytes: 8 * MB, protocol: 'udp', timeoutMs: 3000 })
    await waitFor('alice blocked', () => book()?.applied === 'blocked')
    const used = book()!.usedBytes
    expect(used).toBe(await auditedTotal())
    expect(used).toBeLessThanOrEqual(5 * MB)
    expect(used).toBeGreaterThan(5 * MB - MAX_OVERSHOOT)
    expect(await net.ping(net.upstreamNs, B)).toBe(false)
    expect(await net.ping(net.upstreamNs, A)).toBe(true)

    // A larger allowance pushed (with the usage the controller booked): open again on B.
    controller.send({ v: PROTOCOL_VERSION, type: 'limits', subscribers: [limit(8 * MB, 2, used)] })
    await waitFor('alice open again', () => book()?.applied === 'open')
    const restored = await net.download(c1, { bytes: MB })
    expect(restored.receivedBytes).toBe(MB)
    await agent.pollNow()
    expect(book()!.usedBytes).toBe(await auditedTotal())
    console.info(`BRAS re-login: booked ${book()!.usedBytes} bytes, audited ${await auditedTotal()}`)
  }, 120_000)
})
