/**
 * The SNMP counter source against net-snmp's snmpd on a namespace router: real packets through the
 * customer-facing veths, compared with the kernel's own interface counters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CounterReading } from '../../agent/src/drivers/driver.js'
import {
  createSnmpCounterSource,
  type SnmpCounterSource,
  type SnmpCounterSourceOptions,
} from '../../agent/src/drivers/snmp/counter-source.js'
import { createNativeSession } from '../../agent/src/drivers/snmp/native-session.js'
import { IF_NAME } from '../../agent/src/drivers/snmp/oids.js'
import { SnmpError } from '../../agent/src/drivers/snmp/session.js'
import { displayString } from '../../agent/src/drivers/snmp/varbind.js'
import { walkColumn } from '../../agent/src/drivers/snmp/walk.js'
import { type Baseline, computeDeltas } from '../../agent/src/usage-engine.js'
import { createNetnsRouter, type NetnsRouter } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'
import { type Snmpd, type SnmpdUser, snmpdUnavailableReason, startSnmpd } from './support/snmpd.js'

const unavailable = await snmpdUnavailableReason()
const needs = prerequisite('SNMP counter tests', unavailable)
const title = needs.title(`SNMP counters from snmpd on a namespace router`)

const MB = 1_000_000
const NAMES = new Map([
  ['alice', 'c0'],
  ['bob', 'c1'],
  ['ghost', 'c9'],
])

interface KernelCounters {
  ifIndex: number
  rx: bigint
  tx: bigint
}

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  let snmpd: Snmpd
  const sources: SnmpCounterSource[] = []

  beforeEach(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: 2 })
    // Counters read by each request, not from snmpd's 3-second cache, so both sides are one instant.
    snmpd = await startSnmpd({ netns: net.routerNs, interfaceCacheSeconds: 0 })
  })
  afterEach(async () => {
    for (const source of sources.splice(0)) await source.close()
    await snmpd?.stop()
    await net?.destroy()
  })

  const v2c = (extra: Partial<SnmpCounterSourceOptions> = {}) =>
    open({ version: '2c', community: snmpd.community, ...extra } as SnmpCounterSourceOptions)
  const v3 = (user: SnmpdUser, extra: Partial<SnmpCounterSourceOptions> = {}) =>
    open({ version: '3', ...user, ...extra } as SnmpCounterSourceOptions)
  const open = (options: Partial<SnmpCounterSourceOptions>) => {
    const source = createSnmpCounterSource({
      host: snmpd.host,
      port: snmpd.port,
      table: 'ifName',
      timeoutMs: 2000,
      retries: 1,
      ...options,
    } as SnmpCounterSourceOptions)
    sources.push(source)
    return source
  }

  /** ifindex and byte counters of the router's interfaces, read by one process. */
  const kernel = async (...names: string[]): Promise<Map<string, KernelCounters>> => {
    const files = names.flatMap((n) =>
      ['ifindex', 'statistics/rx_bytes', 'statistics/tx_bytes'].map((f) => `/sys/class/net/${n}/${f}`),
    )
    const lines = (await net.exec(net.routerNs, ['cat', ...files])).trim().split('\n')
    return new Map(
      names.map((n, i) => [
        n,
        { ifIndex: Number(lines[3 * i]), rx: BigInt(lines[3 * i + 1]!), tx: BigInt(lines[3 * i + 2]!) },
      ]),
    )
  }
  /**
   * Readings taken while the kernel's counters stood still (equal before and after), so they are
   * the kernel's values at one instant. Stray IPv6 router solicitations can move them: retry.
   */
  const atOneInstant = async (read: () => Promise<CounterReading[]>, ...ifNames: string[]) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await kernel(...ifNames)
      const readings = await read()
      const after = await kernel(...ifNames)
      if (JSON.stringify([...before], bigints) === JSON.stringify([...after], bigints))
        return { readings, kernel: after }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`the kernel counters of ${ifNames.join(', ')} never stood still`)
  }
  const sampleOf = (reading: CounterReading, id: string) => {
    const sample = reading.samples.find((s) => s.subscriberId === id)
    if (!sample) throw new Error(`no sample for ${id} in ${JSON.stringify(reading.samples, bigints)}`)
    return sample
  }
  const baselinesOf = (reading: CounterReading) =>
    new Map<string, Baseline>(
      reading.samples.map((s) => [s.subscriberId, { ...s, bootId: reading.bootId, atMs: reading.atMs }]),
    )
  const engine = { maxBytesPerMs: 10 * MB, created: new Map() }

  it('reads each customer interface as the kernel counts it, and deltas equal the bytes the kernel counted', async () => {
    const source = v2c()
    const read = async () => [await source.readCounters(NAMES)]
    const first = await atOneInstant(read, 'c0', 'c1')
    const [r0] = first.readings as [CounterReading]
    for (const [id, ifName] of [
      ['alice', 'c0'],
      ['bob', 'c1'],
    ] as const) {
      const k = first.kernel.get(ifName)!
      // The router sends the customer's download out of c0: OUT octets = tx = down.
      expect(sampleOf(r0, id)).toEqual({
        subscriberId: id,
        counterId: `ifName:${ifName}:ifIndex:${k.ifIndex}:disc:0`,
        down: k.tx,
        up: k.rx,
      })
    }
    expect(r0.samples.map((s) => s.subscriberId)).not.toContain('ghost')

    const [c0, c1] = [net.customer(0), net.customer(1)]
    const moved = {
      alice: [await net.download(c0, { bytes: 3 * MB }), await net.upload(c0, { bytes: 1 * MB })],
      bob: [
        await net.download(c1, { bytes: 2 * MB, family: 6 }),
        await net.upload(c1, { bytes: MB / 2, family: 6 }),
      ],
    }
    const second = await atOneInstant(read, 'c0', 'c1')
    const [r1] = second.readings as [CounterReading]
    expect(r1.bootId).toBe(r0.bootId)

    const { deltas, anomalies } = computeDeltas(baselinesOf(r0), r1, engine)
    expect(anomalies).toEqual([])
    for (const [id, ifName] of [
      ['alice', 'c0'],
      ['bob', 'c1'],
    ] as const) {
      const [was, now] = [first.kernel.get(ifName)!, second.kernel.get(ifName)!]
      const delta = deltas.find((d) => d.subscriberId === id)!
      expect([delta.down, delta.up]).toEqual([now.tx - was.tx, now.rx - was.rx])
      // What the kernel counted includes every payload byte the customer received and sent.
      const [down, up] = moved[id]
      expect(delta.down).toBeGreaterThanOrEqual(BigInt(down!.receivedBytes))
      expect(delta.up).toBeGreaterThanOrEqual(BigInt(up!.receivedBytes))
      console.info(
        `${id} (${ifName}): SNMP delta down ${delta.down} up ${delta.up} bytes = kernel tx/rx delta; ` +
          `payload ${down!.receivedBytes}/${up!.receivedBytes}`,
      )
    }
  })

  it('gives a deleted and re-created interface (same name, new ifIndex) a new counterId', async () => {
    const source = v2c()
    const read = async () => [await source.readCounters(NAMES)]
    const {
      readings: [r0],
      kernel: k0,
    } = await atOneInstant(read, 'c1')
    await net.exec(net.routerNs, ['ip', 'link', 'del', 'c1'])
    await net.exec(net.routerNs, [
      'ip',
      'link',
      'add',
      'c1',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      net.customer(1).ns,
    ])
    await net.exec(net.routerNs, ['ip', 'link', 'set', 'c1', 'up'])
    const {
      readings: [r1],
      kernel: k1,
    } = await atOneInstant(read, 'c1')

    const [oldIndex, newIndex] = [k0.get('c1')!.ifIndex, k1.get('c1')!.ifIndex]
    expect(newIndex).not.toBe(oldIndex)
    // snmpd keeps the deleted c1 for interface_fadeout (300 s): the name is in its table twice.
    const session = createNativeSession({ host: snmpd.host, port: snmpd.port, community: snmpd.community })
    const rows = await walkColumn(session, IF_NAME, 20).finally(() => session.close())
    const c1Rows = rows
      .filter((vb) => displayString(vb.value) === 'c1')
      .map((vb) => Number(vb.oid.split('.').at(-1)))
    expect(c1Rows).toEqual([oldIndex, newIndex])

    expect(sampleOf(r0!, 'bob').counterId).toBe(`ifName:c1:ifIndex:${oldIndex}:disc:0`)
    expect(sampleOf(r1!, 'bob')).toEqual({
      subscriberId: 'bob',
      counterId: `ifName:c1:ifIndex:${newIndex}:disc:0`,
      down: k1.get('c1')!.tx,
      up: k1.get('c1')!.rx,
    })
    const { deltas, anomalies } = computeDeltas(baselinesOf(r0!), r1!, engine)
    expect(deltas.map((d) => d.subscriberId)).not.toContain('bob')
    expect(anomalies).toEqual([expect.stringMatching(/^bob: counter re-created/)])
  })

  it('reads the same counters over SNMPv3 authPriv (SHA/AES-128 and SHA-256/AES-256) as over v2c', async () => {
    const plain = v2c()
    const secure = [v3(snmpd.users.sha), v3(snmpd.users.sha256)]
    const { readings } = await atOneInstant(
      async () => [
        await plain.readCounters(NAMES),
        ...(await Promise.all(secure.map((s) => s.readCounters(NAMES)))),
      ],
      'c0',
      'c1',
    )
    const [r2c, rSha, rSha256] = readings as [CounterReading, CounterReading, CounterReading]
    expect(r2c.samples).toHaveLength(2)
    expect(rSha.samples).toEqual(r2c.samples)
    expect(rSha256.samples).toEqual(r2c.samples)
  })

  it('refuses a wrong SNMPv3 auth key at once, with a clear error', async () => {
    const source = v3({ ...snmpd.users.sha, authKey: 'not-the-auth-key' })
    const started = performance.now()
    const error = await source.readCounters(NAMES).catch((e: unknown) => e)
    const elapsedMs = performance.now() - started
    expect(error).toBeInstanceOf(SnmpError)
    expect((error as SnmpError).kind).toBe('auth')
    expect((error as Error).message).toBe(
      `SNMPv3 authentication failed for user capd-sha at ${snmpd.host}:161: wrong authKey or authProtocol (sha/aes)? (usmStatsWrongDigests)`,
    )
    // A report comes back: no waiting for the 2 × 2000 ms timeout.
    expect(elapsedMs).toBeLessThan(1000)
    console.info(`wrong auth key refused in ${elapsedMs.toFixed(0)} ms`)

    const unknown = (await v3({ ...snmpd.users.sha, user: 'nobody' })
      .readCounters(NAMES)
      .catch((e: unknown) => e)) as Error
    expect(unknown.message).toMatch(/user nobody at .* is unknown to the agent/)
  })

  it('fails a wrong SNMPv3 privacy key within the timeout, with a clear error', async () => {
    const source = v3({ ...snmpd.users.sha, privKey: 'not-the-priv-key' }, { timeoutMs: 400, retries: 1 })
    const started = performance.now()
    const error = await source.readCounters(NAMES).catch((e: unknown) => e)
    const elapsedMs = performance.now() - started
    expect(error).toBeInstanceOf(SnmpError)
    expect((error as SnmpError).kind).toBe('timeout')
    expect((error as Error).message).toMatch(
      /answered discovery but not the encrypted request of user capd-sha within 2 attempt\(s\) of 400 ms: wrong privKey/,
    )
    // snmpd drops what it cannot decrypt, so this takes the whole timeout, and not much more.
    expect(elapsedMs).toBeGreaterThanOrEqual(790)
    expect(elapsedMs).toBeLessThan(2000)
    console.info(`wrong priv key failed after ${elapsedMs.toFixed(0)} ms (timeout 2 × 400 ms)`)
  })

  it('times out on a wrong community within the timeout, with a clear error, on both v2c clients', async () => {
    for (const engine of ['snmp-native', 'net-snmp'] as const) {
      const source = open({
        version: '2c',
        community: 'not-the-community',
        engine,
        timeoutMs: 300,
        retries: 1,
      })
      const started = performance.now()
      const error = await source.readCounters(NAMES).catch((e: unknown) => e)
      const elapsedMs = performance.now() - started
      expect((error as SnmpError).kind).toBe('timeout')
      expect((error as Error).message).toBe(
        `SNMPv2c agent ${snmpd.host}:161 did not answer within 2 attempt(s) of 300 ms: wrong community, or the agent is down or unreachable`,
      )
      expect(elapsedMs).toBeGreaterThanOrEqual(590)
      expect(elapsedMs).toBeLessThan(1500)
      console.info(
        `wrong community (${engine}) timed out after ${elapsedMs.toFixed(0)} ms (timeout 2 × 300 ms)`,
      )
    }
  })

  it('starts a new boot when snmpd restarts (sysUpTime back to 0, snmpEngineBoots + 1)', async () => {
    const source = v2c()
    const secure = v3(snmpd.users.sha)
    const r0 = await source.readCounters(NAMES)
    const s0 = await secure.readCounters(NAMES)
    await snmpd.restart()
    const r1 = await source.readCounters(NAMES)
    // The SNMPv3 session re-synchronises with the restarted engine (new boots, engine time 0).
    const s1 = await secure.readCounters(NAMES)
    expect([s0.bootId, s1.bootId]).toEqual([r0.bootId, r1.bootId])
    expect(r1.bootId).not.toBe(r0.bootId)
    expect(r0.bootId).toMatch(/^snmp:boots=1:/)
    expect(r1.bootId).toMatch(/^snmp:boots=2:/)
    const { deltas, anomalies } = computeDeltas(baselinesOf(r0), r1, engine)
    expect(deltas).toEqual([])
    expect(anomalies).toEqual([
      expect.stringMatching(/^alice: the router rebooted/),
      expect.stringMatching(/^bob: the router rebooted/),
    ])
  })
})

function bigints(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value
}
