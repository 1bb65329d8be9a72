/**
 * The nftables driver on a Linux BRAS: a subscriber known by login alone follows its PPP session
 * from one address to the next with real packets, counted once and capped across the move. The
 * kernel here has no PPP, so veth interfaces named `ppp0`, `ppp1`… stand for the session
 * interfaces, and a `list-sessions` script (the `command` source) prints what the test writes.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { createSessionSource } from '../../agent/src/drivers/nftables/session-source.js'
import { type AuditCounters, createAuditCounters } from './support/audit-counter.js'
import { createNetnsRouter, type NetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('nftables BRAS tests', unavailable)
const title = needs.title(`nftables driver on a BRAS`)

const MB = 1_000_000
/** Bytes past the cap the kernel quota may let through: at most one (GRO) packet. */
const MAX_OVERSHOOT = 64 * 1024
const ALLOWANCE = 4 * MB

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  let audit: AuditCounters
  let dir: string
  let driver: RouterDriver
  const warnings: string[] = []

  beforeEach(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: 3, interfacePrefix: 'ppp' })
    audit = await createAuditCounters(net)
    dir = await mkdtemp(join(tmpdir(), 'capd-bras-'))
    const script = join(dir, 'list-sessions')
    await writeFile(
      script,
      `#!/bin/sh\nif [ -e '${dir}/fail' ]; then echo 'accel-pppd is not answering' >&2; exit 3; fi\ncat '${dir}/sessions'\n`,
    )
    await chmod(script, 0o755)
    warnings.length = 0
    const sessions = createSessionSource({ kind: 'command', argv: [script] }, (line) => warnings.push(line))
    const warn = (line: string) => warnings.push(line)
    driver = createNftablesDriver({ netns: net.routerNs, timeoutMs: 10_000, sessions, warn })
    await driver.start()
  })
  afterEach(async () => {
    await net?.destroy()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const nft = (...args: string[]) => net.exec(net.routerNs, ['nft', ...args])
  const sessionsAre = (...lines: string[]) =>
    writeFile(join(dir, 'sessions'), lines.map((l) => `${l}\n`).join(''))
  const sampleOf = (reading: CounterReading, id: string) => {
    const sample = reading.samples.find((s) => s.subscriberId === id)
    if (!sample) throw new Error(`no counter sample for ${id}`)
    return sample
  }
  const total = (reading: CounterReading, id: string) => {
    const s = sampleOf(reading, id)
    return Number(s.down + s.up)
  }
  /** The map's keys as nft lists them (text output, not through the driver's parser). */
  const mapKeys = async (map: string) => {
    const text = await nft('list', 'map', 'inet', 'capd', map)
    return [...text.matchAll(/(\d+\.\d+\.\d+\.\d+(?:\/\d+)?) : /g)].map((m) => m[1])
  }
  /** In bytes from the JSON listing: the text one prints a multiple of 1024 as "used 2560 kbytes". */
  const quotaUsed = async () => {
    const text = await nft('-j', 'list', 'quota', 'inet', 'capd', 'q_alice')
    const items = (JSON.parse(text) as { nftables: Array<{ quota?: { used: number } }> }).nftables
    return items.find((item) => item.quota)!.quota!.used
  }

  it('follows a re-login to a new address: counted once, capped there, released at the old one, restored', async () => {
    const [c0, c1, c2] = [net.customer(0), net.customer(1), net.customer(2)]
    const [A, B] = [c0.ipv4, c1.ipv4]
    await audit.watch(A)
    await audit.watch(B)
    const rules = (remainingBytes: number, state: 'open' | 'blocked' = 'open'): SubscriberRule[] => [
      { subscriberId: 'bob', address: c2.ipv4Link, state: 'open' },
      { subscriberId: 'alice', login: 'alice', state, remainingBytes: BigInt(remainingBytes) },
      { subscriberId: 'mallory', login: 'mallory', state: 'open' },
    ]
    // mallory's session address is inside bob's prefix: bob keeps it; a line of garbage is said once.
    await sessionsAre(`alice ${A} ppp0`, `mallory ${c2.ipv4} ppp2`, 'garbage')
    const first = await driver.apply(rules(ALLOWANCE), await driver.readCounters())
    expect(first.skipped).toEqual([
      expect.objectContaining({ subscriberId: 'mallory', code: 'address_overlap' }),
    ])
    const start = await driver.readCounters()
    expect(total(start, 'alice')).toBe(0)
    expect(await mapKeys('cd4')).toEqual(expect.arrayContaining([A, c2.ipv4Link]))

    const onA = [await net.download(c0, { bytes: MB }), await net.upload(c0, { bytes: MB / 2 })]
    for (const t of onA) expect(t.receivedBytes).toBe(t.sentBytes)
    const beforeMove = await driver.readCounters()
    const usedOnA = total(beforeMove, 'alice')
    expect(usedOnA).toBeGreaterThan(1.5 * MB)

    // Re-login on ppp1 with address B.
    await sessionsAre(`alice ${B} ppp1`, `mallory ${c2.ipv4} ppp2`, 'garbage')
    await driver.apply(rules(ALLOWANCE - usedOnA), beforeMove)
    expect(await mapKeys('cd4')).not.toContain(A)
    expect(await mapKeys('cd4')).toContain(B)
    const onB = await net.download(c1, { bytes: MB })
    expect(onB.receivedBytes).toBe(onB.sentBytes)
    const afterMove = await driver.readCounters()
    // The same counters (no new generation), holding both sessions' bytes exactly once.
    expect(sampleOf(afterMove, 'alice').counterId).toBe(sampleOf(start, 'alice').counterId)
    const audited = await audit.totals()
    expect(total(afterMove, 'alice')).toBe(audited.get(A)! + audited.get(B)!)
    expect(audited.get(B)!).toBeGreaterThan(MB)
    // The kernel quota carried over: it consumed A's bytes and B's.
    expect(await quotaUsed()).toBe(total(afterMove, 'alice'))

    // Past the cap on B: the kernel quota stops it where the allowance ends.
    await driver.apply(rules(ALLOWANCE - total(afterMove, 'alice')), afterMove)
    const capped = await net.download(c1, { bytes: 5 * MB, protocol: 'udp', timeoutMs: 3000 })
    expect(capped.receivedBytes).toBeLessThan(capped.sentBytes)
    const atCap = await driver.readCounters()
    expect(sampleOf(atCap, 'alice').quotaSpent).toBe(true)
    expect(total(atCap, 'alice')).toBeLessThanOrEqual(ALLOWANCE)
    expect(total(atCap, 'alice')).toBeGreaterThan(ALLOWANCE - MAX_OVERSHOOT)
    const atCapAudit = await audit.totals()
    expect(total(atCap, 'alice')).toBe(atCapAudit.get(A)! + atCapAudit.get(B)!)
    await driver.apply(rules(ALLOWANCE - total(atCap, 'alice'), 'blocked'), atCap)
    expect(await net.ping(net.upstreamNs, B)).toBe(false)
    // A went back to the pool: whoever has it now is not alice, and not blocked.
    expect(await net.ping(net.upstreamNs, A)).toBe(true)

    // A top-up of 3 MB: open again on B.
    const topped = await driver.readCounters()
    await driver.apply(rules(ALLOWANCE + 3 * MB - total(topped, 'alice')), topped)
    expect(await net.ping(net.upstreamNs, B)).toBe(true)
    const restored = await net.download(c1, { bytes: MB })
    expect(restored.receivedBytes).toBe(MB)

    // bob was counted all along on his own prefix.
    const bobBefore = await driver.readCounters()
    await net.download(c2, { bytes: MB })
    const bobAfter = await driver.readCounters()
    expect(total(bobAfter, 'bob') - total(bobBefore, 'bob')).toBeGreaterThan(MB)
    expect(total(bobAfter, 'alice')).toBe(total(bobBefore, 'alice'))
    expect(warnings).toEqual([expect.stringMatching(/line ignored: "garbage"/)])
  })

  it('on logout keeps the counters for the next session', async () => {
    const c0 = net.customer(0)
    const c2 = net.customer(2)
    const rules: SubscriberRule[] = [
      { subscriberId: 'bob', address: c2.ipv4, state: 'blocked' },
      { subscriberId: 'alice', login: 'alice', state: 'open', remainingBytes: 50_000_000n },
    ]
    await sessionsAre(`alice ${c0.ipv4} ppp0`)
    await driver.apply(rules, await driver.readCounters())
    await net.download(c0, { bytes: MB })
    const online = await driver.readCounters()

    await sessionsAre()
    await driver.apply(rules, online)
    expect(await mapKeys('cd4')).toEqual([c2.ipv4])
    const offline = await driver.readCounters()
    expect(sampleOf(offline, 'alice')).toEqual(sampleOf(online, 'alice'))

    await sessionsAre(`alice ${c0.ipv4} ppp3`)
    await driver.apply(rules, offline)
    await net.download(c0, { bytes: MB })
    const back = await driver.readCounters()
    expect(sampleOf(back, 'alice').counterId).toBe(sampleOf(online, 'alice').counterId)
    expect(total(back, 'alice') - total(online, 'alice')).toBeGreaterThan(MB)
  })

  it('while the sessions cannot be read, enforces everyone else, and logins on the last list read', async () => {
    const [c0, c1, c2] = [net.customer(0), net.customer(1), net.customer(2)]
    const rules = (bob: 'open' | 'blocked', alice: 'open' | 'blocked' = 'open'): SubscriberRule[] => [
      { subscriberId: 'bob', address: c2.ipv4, state: bob },
      { subscriberId: 'alice', login: 'alice', state: alice, remainingBytes: 50_000_000n },
    ]
    await sessionsAre(`alice ${c0.ipv4} ppp0`)
    await driver.apply(rules('blocked'), await driver.readCounters())
    expect(await net.ping(net.upstreamNs, c2.ipv4)).toBe(false)
    await net.download(c0, { bytes: MB })
    const online = await driver.readCounters()

    // accel-pppd stops answering; alice re-logs in meanwhile (not seen). bob pays: he is opened,
    // and alice, blocked, is blocked at the address she had in the last list.
    await sessionsAre(`alice ${c1.ipv4} ppp1`)
    await writeFile(join(dir, 'fail'), '')
    const during = await driver.apply(rules('open', 'blocked'), online)
    expect(during.skipped).toEqual([])
    expect(await net.ping(net.upstreamNs, c2.ipv4)).toBe(true)
    expect(await net.ping(net.upstreamNs, c0.ipv4)).toBe(false)
    expect(await mapKeys('cd4')).toEqual(expect.arrayContaining([c0.ipv4, c2.ipv4]))
    expect(warnings).toEqual([
      expect.stringMatching(/accel-pppd is not answering; enforcing logins on the sessions read/),
    ])
    await driver.apply(rules('open', 'blocked'), await driver.readCounters())
    expect(warnings).toHaveLength(1)

    // An agent started while the source fails has no list: alice has no address (not enforced,
    // said each apply), her counters and quota stay; bob is blocked again all the same.
    const restartedWarnings: string[] = []
    const restarted = createNftablesDriver({
      netns: net.routerNs,
      timeoutMs: 10_000,
      sessions: createSessionSource({ kind: 'command', argv: [join(dir, 'list-sessions')] }),
      warn: (line) => restartedWarnings.push(line),
    })
    await restarted.start()
    const report = await restarted.apply(rules('blocked', 'blocked'), await restarted.readCounters())
    expect(report.skipped).toEqual([
      {
        subscriberId: 'alice',
        code: 'sessions_unread',
        message: expect.stringMatching(/login "alice" has no address here .*accel-pppd is not answering/),
      },
    ])
    expect(await mapKeys('cd4')).toEqual([c2.ipv4])
    expect(await net.ping(net.upstreamNs, c2.ipv4)).toBe(false)
    expect(await net.ping(net.upstreamNs, c0.ipv4)).toBe(true)
    const unread = await restarted.readCounters()
    expect(sampleOf(unread, 'alice').counterId).toBe(sampleOf(online, 'alice').counterId)
    expect(total(unread, 'alice')).toBe(total(online, 'alice'))
    await restarted.apply(rules('blocked', 'blocked'), unread)
    expect(restartedWarnings).toEqual([
      expect.stringMatching(/no session list from the last 10 min/),
      expect.stringMatching(/no session list from the last 10 min/),
    ])

    // The sessions are back: alice is blocked at her new address, on the same counters.
    await rm(join(dir, 'fail'))
    const back = await restarted.apply(rules('blocked', 'blocked'), await restarted.readCounters())
    expect(back.skipped).toEqual([])
    expect(await net.ping(net.upstreamNs, c1.ipv4)).toBe(false)
    expect(await net.ping(net.upstreamNs, c0.ipv4)).toBe(true)
    expect(sampleOf(await restarted.readCounters(), 'alice').counterId).toBe(
      sampleOf(online, 'alice').counterId,
    )
  })
})
