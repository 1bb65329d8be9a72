/**
 * Direction and throttle rates in the nftables driver against a real kernel: a quota counted one way
 * is spent only by that way's packets, the upload policer runs at its own rate (a fixed one, and one
 * derived from a percentage of the plan's rates), and a table of the one-quota-map layout is upgraded
 * in place keeping what it counted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { capTerms } from '../../controller/src/domain/cap-terms.js'
import type { Plan } from '../../controller/src/store/entities.js'
import { createNetnsRouter, type NetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('nftables direction tests', unavailable)
const title = needs.title(`nftables direction and throttle rates`)

const MB = 1_000_000
/** Payload past the allowance the kernel quota may let through: at most one (GRO) packet. */
const MAX_OVERSHOOT = 64 * 1024

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  let driver: RouterDriver

  beforeEach(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: 2 })
    driver = createNftablesDriver({ netns: net.routerNs, timeoutMs: 10_000 })
    await driver.start()
  })
  afterEach(async () => {
    await net?.destroy()
  })

  const nft = (...args: string[]) => net.exec(net.routerNs, ['nft', ...args])
  const sampleOf = (reading: CounterReading, id: string) => {
    const sample = reading.samples.find((s) => s.subscriberId === id)
    if (!sample) throw new Error(`no counter sample for ${id}`)
    return sample
  }

  describe.each([
    { count: 'down', counted: 'download', free: 'upload' },
    { count: 'up', counted: 'upload', free: 'download' },
  ] as const)('a subscriber counted by $counted only', ({ count, counted, free }) => {
    const move = (which: 'download' | 'upload', bytes: number, protocol: 'tcp' | 'udp' = 'tcp') =>
      net[which](net.customer(0), { bytes, protocol, timeoutMs: protocol === 'udp' ? 3000 : 5000 })
    const countedBytes = (r: CounterReading) => sampleOf(r, 'alice')[count]

    it(`is not stopped by ${free} traffic, and is stopped within one packet when its ${counted} reaches the cap`, async () => {
      const allowance = 5_000_000n
      const rule = (remainingBytes: bigint): SubscriberRule => ({
        subscriberId: 'alice',
        address: net.customer(0).ipv4,
        state: 'open',
        remainingBytes,
        count,
      })
      const first = await driver.readCounters()
      await driver.apply([rule(allowance)], first)
      const start = await driver.readCounters()

      // Three times the allowance the other way: all of it passes.
      const other = await move(free, 15 * MB)
      expect(other.receivedBytes, `${free} past the allowance`).toBe(15 * MB)
      const afterOther = await driver.readCounters()
      const spentByOther = countedBytes(afterOther) - countedBytes(start)
      // Only its acknowledgements travelled the counted way (TCP sends far fewer bytes back).
      expect(spentByOther).toBeLessThan(BigInt(MB))
      expect(sampleOf(afterOther, 'alice').quotaSpent).toBeUndefined()

      // The agent re-applies after its poll; then the counted way blasts far past what is left.
      await driver.apply([rule(allowance - spentByOther)], afterOther)
      const blast = await move(counted, 40 * MB, 'udp')
      const capped = await driver.readCounters()
      const total = countedBytes(capped) - countedBytes(start)
      console.info(
        `${counted}-only, allowance ${allowance}: ${free} ${other.receivedBytes} passed (spent ${spentByOther});`,
        `UDP ${counted} delivered ${blast.receivedBytes}; counted ${total}`,
      )
      expect(blast.sentBytes).toBe(40 * MB)
      expect(total, `${counted} counted stays within the allowance`).toBeLessThanOrEqual(allowance)
      expect(total, `${counted} reached the cap`).toBeGreaterThan(allowance - BigInt(MAX_OVERSHOOT))
      expect(blast.receivedBytes - Number(allowance - spentByOther)).toBeLessThanOrEqual(MAX_OVERSHOOT)
      expect(sampleOf(capped, 'alice').quotaSpent).toBe(true)
      // The kernel quota is one-way: datagrams the other way still pass until the agent blocks
      // (TCP the other way stalls: its acknowledgements travel the counted way and are dropped).
      expect((await move(free, MB, 'udp')).receivedBytes).toBeGreaterThan(MB * 0.9)
    })
  })

  it('moves a subscriber between both-ways and one-way counting without losing its quota', async () => {
    const c0 = net.customer(0)
    const rule = (remainingBytes: bigint, count?: 'down'): SubscriberRule => ({
      subscriberId: 'alice',
      address: c0.ipv4,
      state: 'open',
      remainingBytes,
      ...(count ? { count } : {}),
    })
    await driver.apply([rule(8_000_000n)], await driver.readCounters())
    const start = await driver.readCounters()
    expect(await nft('list', 'map', 'inet', 'capd', 'qu4')).toContain('q_alice')
    expect((await net.upload(c0, { bytes: 3 * MB })).receivedBytes).toBe(3 * MB)
    const mid = await driver.readCounters()
    const used = (r: CounterReading) => sampleOf(r, 'alice').down + sampleOf(r, 'alice').up
    const left = 8_000_000n - (used(mid) - used(start))
    await driver.apply([rule(left, 'down')], mid)
    expect(await nft('list', 'map', 'inet', 'capd', 'qu4')).not.toContain('q_alice')
    expect(await nft('list', 'map', 'inet', 'capd', 'qd4')).toContain('q_alice')
    // Uploads no longer spend it; downloads stop at what was left.
    expect((await net.upload(c0, { bytes: 10 * MB })).receivedBytes).toBe(10 * MB)
    const afterUp = await driver.readCounters()
    const downSince = (r: CounterReading) => sampleOf(r, 'alice').down - sampleOf(mid, 'alice').down
    await driver.apply([rule(left - downSince(afterUp), 'down')], afterUp)
    await net.download(c0, { bytes: 40 * MB, protocol: 'udp', timeoutMs: 3000 })
    const end = await driver.readCounters()
    expect(downSince(end)).toBeLessThanOrEqual(left)
    expect(downSince(end)).toBeGreaterThan(left - BigInt(MAX_OVERSHOOT))
  })

  /** Bytes per second once the policer's initial bucket (1 s of rate + burst) is spent. */
  const steadyRate = (timeline: Array<[number, number]>) => {
    const from = timeline.find(([ms]) => ms >= 1500)!
    const to = timeline.at(-1)!
    return ((to[1] - from[1]) * 1000) / (to[0] - from[0])
  }

  it.each([
    { what: 'fixed rates', terms: { throttleKbps: 6000, throttleUpKbps: 1500 } },
    {
      what: '10 % of a 20/5 Mbit/s plan',
      terms: capTerms({
        capAction: { kind: 'throttle_percent', percent: 10 },
        rateDownKbps: 20_000,
        rateUpKbps: 5_000,
      } as Plan),
    },
  ])('throttles each way to its own rate: $what', async ({ terms }) => {
    const c0 = net.customer(0)
    const down = terms.throttleKbps!
    const up = terms.throttleUpKbps ?? down
    expect(up).toBeLessThan(down)
    await driver.apply(
      [
        {
          subscriberId: 'alice',
          address: c0.ipv4,
          state: 'throttled',
          throttleKbps: down,
          throttleUpKbps: up,
        },
      ],
      await driver.readCounters(),
    )
    const got = {
      down: steadyRate((await net.download(c0, { bytes: 1e9, timeoutMs: 5500 })).timeline),
      up: steadyRate((await net.upload(c0, { bytes: 1e9, timeoutMs: 5500 })).timeline),
    }
    const ratio = { down: got.down / ((down * 1000) / 8), up: got.up / ((up * 1000) / 8) }
    console.info(
      `throttle ${down}/${up} kbit/s: steady down ${ratio.down.toFixed(3)} up ${ratio.up.toFixed(3)} of the rate`,
    )
    for (const way of ['down', 'up'] as const) {
      expect(ratio[way], `${way} rate`).toBeGreaterThan(0.5)
      expect(ratio[way], `${way} rate`).toBeLessThan(1.5)
    }
  })

  it('upgrades a table of the one-quota-map layout in place: counters, quota and its consumption kept', async () => {
    await nft('delete', 'table', 'inet', 'capd')
    const c0 = net.customer(0).ipv4
    await net.exec(net.routerNs, ['nft', '-f', '-'], v1Table(c0))
    const upgraded = createNftablesDriver({ netns: net.routerNs, timeoutMs: 10_000 })
    await upgraded.start()
    const table = await nft('list', 'table', 'inet', 'capd')
    expect(table).not.toMatch(/map q4|map q6|capd:v1:/)
    expect(table).toContain('capd:v2:quota-down4')
    const reading = await upgraded.readCounters()
    // The counters kept their values (and ids: no delta is lost across the upgrade).
    expect(sampleOf(reading, 'alice')).toMatchObject({ down: 3_000_000n, up: 1_000_000n })
    // 10 MB cap, 4 MB used: 6 MB left, and the quota object is only re-pointed, not re-created.
    await upgraded.apply(
      [{ subscriberId: 'alice', address: c0, state: 'open', remainingBytes: 6_000_000n }],
      reading,
    )
    expect(await nft('list', 'quota', 'inet', 'capd', 'q_alice')).toMatch(/used 4000000 bytes/)
    await net.download(net.customer(0), { bytes: 40 * MB, protocol: 'udp', timeoutMs: 3000 })
    const end = await upgraded.readCounters()
    const total = sampleOf(end, 'alice').down + sampleOf(end, 'alice').up
    expect(total).toBeLessThanOrEqual(10_000_000n)
    expect(total).toBeGreaterThan(10_000_000n - BigInt(MAX_OVERSHOOT))
    expect(sampleOf(end, 'alice').counterId).toBe(sampleOf(reading, 'alice').counterId)
  })
})

/** The table as the one-quota-map layout (rule comments `capd:v1:`) left it, with alice mid-period. */
function v1Table(address: string): string {
  const t = 'inet capd'
  const lines = [
    `add table ${t}`,
    `add counter ${t} cd_alice { packets 3000 bytes 3000000; }`,
    `add counter ${t} cu_alice { packets 1000 bytes 1000000; }`,
    `add quota ${t} q_alice { over 10000000 bytes used 4000000 bytes; }`,
  ]
  for (const f of [4, 6]) {
    const type = f === 4 ? 'ipv4_addr' : 'ipv6_addr'
    lines.push(`add set ${t} block${f} { type ${type}; flags interval; }`)
    for (const [name, kind] of [
      [`ld${f}`, 'limit'],
      [`lu${f}`, 'limit'],
      [`q${f}`, 'quota'],
      [`cd${f}`, 'counter'],
      [`cu${f}`, 'counter'],
    ]) {
      lines.push(`add map ${t} ${name} { type ${type} : ${kind}; flags interval; }`)
    }
  }
  lines.push(`add chain ${t} forward { type filter hook forward priority -10; policy accept; }`)
  const rule = (tag: string, text: (sel: string, dir: string, f: number) => string) => {
    for (const f of [4, 6]) {
      for (const dir of ['daddr', 'saddr']) {
        const side = dir === 'daddr' ? 'down' : 'up'
        const sel = f === 4 ? 'ip' : 'ip6'
        lines.push(`add rule ${t} forward ${text(sel, dir, f)} comment "capd:v1:${tag}-${side}${f}"`)
      }
    }
  }
  const pick = (dir: string, down: string, up: string) => (dir === 'daddr' ? down : up)
  rule('block', (sel, dir, f) => `${sel} ${dir} @block${f} drop`)
  rule('limit', (sel, dir, f) => `limit name ${sel} ${dir} map @${pick(dir, 'ld', 'lu')}${f} drop`)
  rule('quota', (sel, dir, f) => `quota name ${sel} ${dir} map @q${f} drop`)
  rule('count', (sel, dir, f) => `counter name ${sel} ${dir} map @${pick(dir, 'cd', 'cu')}${f}`)
  lines.push(
    `add element ${t} q4 { ${address} : "q_alice" }`,
    `add element ${t} cd4 { ${address} : "cd_alice" }`,
    `add element ${t} cu4 { ${address} : "cu_alice" }`,
  )
  return `${lines.join('\n')}\n`
}
