/**
 * A BRAS end to end: the real controller holds a subscriber with a login and no address, the real
 * agent process (nftables with a `sessions` command) finds its PPP session, and the subscriber
 * re-logs in on another session interface and address. The controller books exactly what an
 * independent nft count saw on both addresses, the cap bites on the new one, and a top-up through
 * the API opens it again. veth `ppp0`/`ppp1` stand for the session interfaces (no PPP here).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAuditCounters } from './support/audit-counter.js'
import {
  createStack,
  MAX_OVERSHOOT,
  MB,
  type Stack,
  skipStack,
  stackTitle,
  waitFor,
} from './support/capd-stack.js'

describe.skipIf(skipStack)(stackTitle('a BRAS with subscribers known by login'), () => {
  let stack: Stack | undefined
  let dir: string | undefined

  afterEach(async () => {
    await stack?.destroy()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('books a re-login once, caps it on the new address, and a top-up opens it again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-bras-stack-'))
    const script = join(dir, 'list-sessions')
    await writeFile(script, `#!/bin/sh\ncat '${dir}/sessions' 2>/dev/null || true\n`)
    await chmod(script, 0o755)
    const sessionsAre = (...lines: string[]) =>
      writeFile(join(dir!, 'sessions'), lines.map((l) => `${l}\n`).join(''))
    stack = await createStack({
      customers: 2,
      interfacePrefix: 'ppp',
      routerSessions: { kind: 'command', argv: [script] },
    })
    const { net } = stack
    const [A, B] = [net.customer(0).ipv4, net.customer(1).ipv4]
    const audit = await createAuditCounters(net)
    await audit.watch(A)
    await audit.watch(B)
    const cap = 5 * MB
    const alice = await stack.addSubscriber(0, await stack.createPlan(cap), { byLogin: true })
    await sessionsAre(`${alice.login} ${A} ppp0`)
    await stack.startAgent()
    await stack.waitForAgentConnected()
    await stack.waitForCounters([alice.id])
    const countedAt = async (address: string) =>
      (await net.exec(net.routerNs, ['nft', 'list', 'map', 'inet', 'capd', 'cd4'])).includes(
        `${address} : "cd_${alice.id}"`,
      )
    let onA: number | undefined
    const audited = async () => {
      const totals = await audit.totals()
      return (onA ?? totals.get(A)!) + totals.get(B)!
    }

    await waitFor('alice counted at her session address', () => countedAt(A))
    expect((await net.download(net.customer(0), { bytes: MB })).receivedBytes).toBe(MB)
    await sessionsAre(`${alice.login} ${B} ppp1`)
    await waitFor('alice counted at her new session address', () => countedAt(B))
    expect(await countedAt(A)).toBe(false)
    onA = (await audit.totals()).get(A)!
    expect((await net.download(net.customer(1), { bytes: MB })).receivedBytes).toBe(MB)
    const settled = (await stack.settle([alice.id])).get(alice.id)!
    expect(settled.controller).toBe(settled.kernel)
    expect(settled.controller).toBe(await audited())

    const blast = await net.download(net.customer(1), { bytes: 8 * MB, protocol: 'udp', timeoutMs: 3000 })
    expect(blast.receivedBytes).toBeLessThan(blast.sentBytes)
    await waitFor(
      'the controller shows alice blocked',
      async () => (await stack!.booked(alice.id)).state === 'blocked',
    )
    const capped = (await stack.settle([alice.id])).get(alice.id)!
    console.info(`BRAS stack: cap ${cap}, booked ${capped.controller}, audited ${await audited()}`)
    expect(capped.controller).toBe(await audited())
    expect(capped.controller).toBeLessThanOrEqual(cap)
    expect(capped.controller).toBeGreaterThan(cap - MAX_OVERSHOOT)
    expect(await net.ping(net.upstreamNs, B)).toBe(false)
    expect(await net.ping(net.upstreamNs, A)).toBe(true)

    await stack.topUp(alice.id, 3 * MB)
    await waitFor(
      'the controller shows alice open',
      async () => (await stack!.booked(alice.id)).state === 'open',
    )
    expect((await net.download(net.customer(1), { bytes: MB })).receivedBytes).toBe(MB)
    const after = (await stack.settle([alice.id])).get(alice.id)!
    expect(after.controller).toBe(await audited())
  }, 120_000)
})
