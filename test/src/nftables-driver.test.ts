/** The nftables driver against a real kernel: a namespace router, real packets, nft's own numbers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { createNetnsRouter, type NetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('nftables driver tests', unavailable)
const title = needs.title(`nftables driver on a namespace router`)

const MB = 1_000_000
/** Payload past the allowance the kernel quota may let through: at most one (GRO) packet. */
const MAX_OVERSHOOT = 64 * 1024

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  let driver: RouterDriver

  beforeEach(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: 3 })
    driver = createNftablesDriver({ netns: net.routerNs, timeoutMs: 10_000 })
    await driver.start()
  })
  afterEach(async () => {
    await net?.destroy()
  })

  const nft = (...args: string[]) => net.exec(net.routerNs, ['nft', ...args])
  /** nft's own number for a counter, from its text output (not through the driver's JSON parser). */
  const kernelBytes = async (name: string) => {
    const text = await nft('list', 'counter', 'inet', 'capd', name)
    return BigInt(/bytes (\d+)/.exec(text)![1]!)
  }
  const sampleOf = (reading: CounterReading, id: string) => {
    const sample = reading.samples.find((s) => s.subscriberId === id)
    if (!sample) throw new Error(`no counter sample for ${id} in ${JSON.stringify(reading.samples, bigints)}`)
    return sample
  }
  const used = (from: CounterReading, to: CounterReading, id: string) => {
    const a = sampleOf(from, id)
    const b = sampleOf(to, id)
    return b.down + b.up - (a.down + a.up)
  }

  it('counts download and upload per subscriber, IPv4, IPv6 and prefixes, as the kernel does', async () => {
    const [c0, c1, c2] = [net.customer(0), net.customer(1), net.customer(2)]
    await net.addCustomerAddress(c2, '10.200.2.5')
    await net.addCustomerAddress(c2, '10.200.2.6')
    await net.addCustomerAddress(c2, 'fd00:200:2::5')
    const rules: SubscriberRule[] = [
      { subscriberId: 'alice', address: c0.ipv4, state: 'open' },
      { subscriberId: 'bob-6', address: c1.ipv6, state: 'open' },
      { subscriberId: 'carol4', address: '10.200.2.4/30', state: 'open' },
      { subscriberId: 'carol6', address: 'fd00:200:2::/64', state: 'open' },
    ]
    await driver.apply(rules, await driver.readCounters())
    const before = await driver.readCounters()

    const moves = {
      alice: [await net.download(c0, { bytes: 3 * MB }), await net.upload(c0, { bytes: 1 * MB })],
      'bob-6': [
        await net.download(c1, { bytes: 2 * MB, family: 6 }),
        await net.upload(c1, { bytes: MB / 2, family: 6 }),
      ],
      // Both hosts of the /30 (.5 receives, .6 sends) and two of the /64 count for one subscriber.
      carol4: [
        await net.download(c2, { bytes: MB, address: '10.200.2.5' }),
        await net.upload(c2, { bytes: 700_000, address: '10.200.2.6' }),
      ],
      carol6: [
        await net.download(c2, { bytes: 800_000, address: 'fd00:200:2::5' }),
        await net.upload(c2, { bytes: 300_000, address: c2.ipv6 }),
      ],
    }
    const after = await driver.readCounters()
    for (const [id, [down, up]] of Object.entries(moves)) {
      const a = sampleOf(before, id)
      const b = sampleOf(after, id)
      expect(down!.receivedBytes, `${id} download delivered`).toBe(down!.sentBytes)
      expect(up!.receivedBytes, `${id} upload delivered`).toBe(up!.sentBytes)
      expect(b.counterId).toBe(a.counterId)
      // At least the payload; at most payload + headers/ACKs (never another subscriber's traffic).
      expect(Number(b.down - a.down)).toBeGreaterThanOrEqual(down!.receivedBytes)
      expect(Number(b.down - a.down)).toBeLessThan(down!.receivedBytes * 1.1 + 20_000)
      expect(Number(b.up - a.up)).toBeGreaterThanOrEqual(up!.receivedBytes)
      expect(Number(b.up - a.up)).toBeLessThan(up!.receivedBytes * 1.1 + 20_000)
      // Exactly what nft itself reports.
      expect(b.down).toBe(await kernelBytes(`cd_${id}`))
      expect(b.up).toBe(await kernelBytes(`cu_${id}`))
    }
    console.info('counted', JSON.stringify(after.samples, bigints))
    // Reading never resets: a second reading without traffic is identical.
    expect((await driver.readCounters()).samples).toEqual(after.samples)
    expect(after.bootId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('blocks a subscriber completely, leaves another alone, and unblocks at once', async () => {
    const [c0, c1] = [net.customer(0), net.customer(1)]
    const rules = (state: 'open' | 'blocked'): SubscriberRule[] => [
      { subscriberId: 'alice', address: c0.ipv4, state },
      { subscriberId: 'alice6', address: c0.ipv6, state },
      { subscriberId: 'bob', address: c1.ipv4, state: 'open', remainingBytes: 100_000_000n },
    ]
    await driver.apply(rules('blocked'), await driver.readCounters())
    const before = await driver.readCounters()

    expect(await net.ping(net.upstreamNs, c0.ipv4)).toBe(false)
    expect(await net.ping(net.upstreamNs, c0.ipv6)).toBe(false)
    expect(await net.ping(c0.ns, net.upstream.ipv4)).toBe(false)
    expect((await net.download(c0, { bytes: MB, timeoutMs: 1500 })).receivedBytes).toBe(0)
    expect((await net.upload(c0, { bytes: MB, protocol: 'udp', timeoutMs: 1500 })).receivedBytes).toBe(0)
    expect(await net.ping(net.upstreamNs, c1.ipv4)).toBe(true)
    expect((await net.download(c1, { bytes: 2 * MB })).receivedBytes).toBe(2 * MB)
    const blocked = await driver.readCounters()
    // Dropped packets are not usage.
    expect(used(before, blocked, 'alice')).toBe(0n)
    expect(used(before, blocked, 'bob')).toBeGreaterThan(2 * MB)

    await driver.apply(rules('open'), blocked)
    expect(await net.ping(net.upstreamNs, c0.ipv4)).toBe(true)
    expect(await net.ping(net.upstreamNs, c0.ipv6)).toBe(true)
    expect((await net.download(c0, { bytes: MB })).receivedBytes).toBe(MB)
  })

  it('stops traffic at the kernel quota within one packet, and a top-up lets it through at once', async () => {
    const [c0, c1] = [net.customer(0), net.customer(1)]
    const allowance = 10_000_000n
    const rules = (extra: bigint, reading: CounterReading, start: CounterReading): SubscriberRule[] =>
      ['alice', 'bob'].map((id, i) => ({
        subscriberId: id,
        address: [c0.ipv4, c1.ipv6][i]!,
        state: 'open',
        remainingBytes: allowance + extra - (start.samples.length ? used(start, reading, id) : 0n),
      }))
    const initial = await driver.readCounters()
    await driver.apply(rules(0n, initial, initial), initial)
    const start = await driver.readCounters()

    // UDP at full speed far past the allowance (alice, IPv4) and TCP (bob, IPv6).
    const udp = await net.download(c0, { bytes: 40 * MB, protocol: 'udp', timeoutMs: 3000 })
    const tcp = await net.download(c1, { bytes: 30 * MB, family: 6, timeoutMs: 2000 })
    const capped = await driver.readCounters()
    console.info(
      `quota 10 MB: UDP sent ${udp.sentBytes} delivered ${udp.receivedBytes}, TCP delivered ${tcp.receivedBytes};`,
      `counted (down+up) alice ${used(start, capped, 'alice')} bob ${used(start, capped, 'bob')}`,
    )
    for (const [id, delivered] of [
      ['alice', udp.receivedBytes],
      ['bob', tcp.receivedBytes],
    ] as const) {
      expect(delivered - Number(allowance), `${id} payload past the allowance`).toBeLessThanOrEqual(
        MAX_OVERSHOOT,
      )
      const counted = used(start, capped, id)
      expect(counted, `${id} counted bytes stay within the allowance`).toBeLessThanOrEqual(allowance)
      // …and the test did reach the cap: less than one packet of the allowance is left.
      expect(counted, `${id} reached the cap`).toBeGreaterThan(allowance - BigInt(MAX_OVERSHOOT))
    }
    expect(udp.sentBytes).toBe(40 * MB)

    // Top-up of 20 MB for both: traffic flows at once, and again stops at the new cap.
    await driver.apply(rules(20_000_000n, capped, start), capped)
    const after = await net.download(c0, { bytes: 5 * MB })
    expect(after.receivedBytes).toBe(5 * MB)
    expect((await net.download(c1, { bytes: 5 * MB, family: 6 })).receivedBytes).toBe(5 * MB)
    const second = await net.download(c0, { bytes: 40 * MB, protocol: 'udp', timeoutMs: 3000 })
    const end = await driver.readCounters()
    const total = used(start, end, 'alice')
    expect(total).toBeLessThanOrEqual(allowance + 20_000_000n)
    expect(total).toBeGreaterThan(allowance + 20_000_000n - BigInt(MAX_OVERSHOOT))
    expect(sampleOf(end, 'alice').counterId).toBe(sampleOf(start, 'alice').counterId)
    console.info(`after top-up: delivered 5 MB + ${second.receivedBytes}; counted ${total} of 30 MB`)
  })

  it('throttles to near the configured rate in both directions', async () => {
    const c0 = net.customer(0)
    const kbps = 8000
    const rate = (kbps * 1000) / 8
    const steadyRate = (timeline: Array<[number, number]>) => {
      // Skip the first 1.5 s: the kernel's byte limit starts with a full bucket (1 s of rate + burst).
      const from = timeline.find(([ms]) => ms >= 1500)!
      const to = timeline.at(-1)!
      return ((to[1] - from[1]) * 1000) / (to[0] - from[0])
    }
    const reading = await driver.readCounters()
    await driver.apply([{ subscriberId: 'alice', address: c0.ipv4, state: 'open' }], reading)
    const free = await net.download(c0, { bytes: 200 * MB, timeoutMs: 2000 })

    await driver.apply(
      [{ subscriberId: 'alice', address: c0.ipv4, state: 'throttled', throttleKbps: kbps }],
      await driver.readCounters(),
    )
    const down = await net.download(c0, { bytes: 1e9, timeoutMs: 4500 })
    const up = await net.upload(c0, { bytes: 1e9, timeoutMs: 4500 })
    const downRatio = steadyRate(down.timeline) / rate
    const upRatio = steadyRate(up.timeline) / rate
    const overall = (r: typeof down) => (r.receivedBytes * 1000) / Math.max(1, r.timeline.at(-1)![0]) / rate
    const freeRatio = overall(free)
    console.info(
      `throttle ${kbps} kbit/s: unthrottled ${freeRatio.toFixed(1)}× rate;`,
      `steady down ${downRatio.toFixed(3)} up ${upRatio.toFixed(3)};`,
      `whole transfer down ${overall(down).toFixed(3)} up ${overall(up).toFixed(3)}`,
    )
    expect(freeRatio).toBeGreaterThan(3)
    expect(downRatio).toBeGreaterThan(0.5)
    expect(downRatio).toBeLessThan(1.5)
    expect(upRatio).toBeGreaterThan(0.5)
    expect(upRatio).toBeLessThan(1.5)
  })

  describe('reconciling', () => {
    const rulesFor = (reading: CounterReading, start?: CounterReading): SubscriberRule[] => {
      const [c0, c1, c2] = [net.customer(0), net.customer(1), net.customer(2)]
      return [
        {
          subscriberId: 'alice',
          address: c0.ipv4,
          state: 'open',
          remainingBytes: 50_000_000n - (start ? used(start, reading, 'alice') : 0n),
        },
        { subscriberId: 'bob', address: c1.ipv6Link, state: 'blocked' },
        { subscriberId: 'carol', address: c2.ipv4, state: 'throttled', throttleKbps: 20_000 },
      ]
    }

    it('keeps counters across a driver restart, changes nothing for the same rules, and notices a flush', async () => {
      const c0 = net.customer(0)
      const first = await driver.readCounters()
      await driver.apply(rulesFor(first), first)
      const start = await driver.readCounters()
      await net.download(c0, { bytes: 3 * MB })
      const beforeRestart = await driver.readCounters()
      await driver.close()

      // A new agent process: same table, same counters, same ids.
      const restarted = createNftablesDriver({ netns: net.routerNs })
      await restarted.start()
      const afterRestart = await restarted.readCounters()
      expect(afterRestart.samples).toEqual(beforeRestart.samples)
      expect(used(start, afterRestart, 'alice')).toBeGreaterThan(3 * MB)

      const changes = await watchRuleset(() => restarted.apply(rulesFor(afterRestart, start), afterRestart))
      expect(changes).toEqual([])
      await net.download(c0, { bytes: 2 * MB })
      const later = await restarted.readCounters()
      expect(sampleOf(later, 'alice').counterId).toBe(sampleOf(afterRestart, 'alice').counterId)
      expect(sampleOf(later, 'alice').down - sampleOf(afterRestart, 'alice').down).toBeGreaterThan(2 * MB)

      // Someone deletes the table by hand: counters restart, and their ids say so.
      await nft('delete', 'table', 'inet', 'capd')
      await restarted.start()
      expect((await restarted.readCounters()).samples).toEqual([])
      await restarted.apply(rulesFor(later), await restarted.readCounters())
      const recreated = await restarted.readCounters()
      for (const sample of recreated.samples) {
        expect(sample.counterId).not.toBe(sampleOf(later, sample.subscriberId).counterId)
        expect(sample.down + sample.up).toBe(0n)
      }
      expect(recreated.samples).toHaveLength(3)
    })

    it('removes only the objects of a dropped subscriber; the others keep counting', async () => {
      const [c0, c1, c2] = [net.customer(0), net.customer(1), net.customer(2)]
      const first = await driver.readCounters()
      await driver.apply(rulesFor(first), first)
      const start = await driver.readCounters()
      await net.download(c0, { bytes: MB })
      await net.download(c2, { bytes: 300_000 })
      const before = await driver.readCounters()

      const without = rulesFor(before, start).filter((r) => r.subscriberId !== 'bob')
      const changes = await watchRuleset(() => driver.apply(without, before))
      console.info(`nft monitor during the diff:\n${changes.join('\n')}`)
      expect(changes.length).toBeGreaterThan(0)
      for (const line of changes) expect(line).toMatch(/_bob\b|fd00:200:1::\/64/)
      const after = await driver.readCounters()
      expect(after.samples.map((s) => s.subscriberId).sort()).toEqual(['alice', 'carol'])
      for (const id of ['alice', 'carol']) expect(sampleOf(after, id)).toEqual(sampleOf(before, id))
      const table = await nft('list', 'table', 'inet', 'capd')
      expect(table).not.toMatch(/_bob|fd00:200:1::/)
      // bob's prefix is no longer blocked.
      expect(await net.ping(net.upstreamNs, c1.ipv6)).toBe(true)
      expect((await net.download(c2, { bytes: MB })).receivedBytes).toBe(MB)
    })

    it('rewrites a map when many leave at once without losing a packet of the others', async () => {
      const [c0, c1] = [net.customer(0), net.customer(1)]
      const crowd: SubscriberRule[] = Array.from({ length: 300 }, (_, i) => ({
        subscriberId: `gone-${i}`,
        address: `10.250.${i >> 8}.${i & 255}`,
        state: 'open',
      }))
      const stay: SubscriberRule[] = [
        { subscriberId: 'alice', address: c0.ipv4, state: 'open' },
        { subscriberId: 'bob', address: c1.ipv4, state: 'open' },
      ]
      await driver.apply([...stay, ...crowd], await driver.readCounters())
      const before = await driver.readCounters()
      // alice downloads at full speed while the maps are flushed and refilled in one transaction.
      const transfer = net.download(c0, { bytes: 100_000 * MB, timeoutMs: 2000 })
      await sleep(500)
      const changes = await watchRuleset(() => driver.apply(stay, before))
      const moved = await transfer
      const after = await driver.readCounters()
      // The rewrite took alice's elements out and put them back…
      expect(changes).toContain('delete element inet capd cd4 { 10.200.0.2 : "cd_alice" }')
      expect(changes).toContain('add element inet capd cd4 { 10.200.0.2 : "cd_alice" }')
      // …while her transfer was running (it ran until the sender's deadline).
      expect(moved.timeline.at(-1)![0]).toBeGreaterThan(1000)
      expect(after.samples.map((s) => s.subscriberId).sort()).toEqual(['alice', 'bob'])
      expect(sampleOf(after, 'alice').counterId).toBe(sampleOf(before, 'alice').counterId)
      expect(moved.receivedBytes).toBeGreaterThan(10 * MB)
      expect(sampleOf(after, 'alice').down - sampleOf(before, 'alice').down).toBeGreaterThanOrEqual(
        BigInt(moved.receivedBytes),
      )
    })

    it('never touches another table', async () => {
      await net.exec(
        net.routerNs,
        ['nft', '-f', '-'],
        [
          'add table inet other',
          'add set inet other keep { type ipv4_addr; elements = { 10.9.9.9 }; }',
          'add chain inet other forward { type filter hook forward priority 0; policy accept; }',
          'add rule inet other forward ip daddr @keep drop comment "foreign"',
          'add rule inet other forward counter',
        ].join('\n'),
      )
      const other = () => nft('-a', 'list', 'table', 'inet', 'other')
      const before = (await other()).replace(/packets \d+ bytes \d+/g, '')
      const again = createNftablesDriver({ netns: net.routerNs })
      await again.start()
      const reading = await again.readCounters()
      await again.apply(rulesFor(reading), reading)
      await again.apply(rulesFor(reading).slice(0, 1), await again.readCounters())
      await again.close()
      expect((await other()).replace(/packets \d+ bytes \d+/g, '')).toBe(before)
      expect(before).toMatch(/comment "foreign"/)
    })
  })

  /** Every change event `nft monitor` shows while `action` runs (between two sentinel tables). */
  async function watchRuleset(action: () => Promise<unknown>): Promise<string[]> {
    const monitor = net.spawn(net.routerNs, ['nft', 'monitor'])
    let output = ''
    monitor.stdout?.setEncoding('utf8').on('data', (text: string) => {
      output += text
    })
    const sentinel = async (name: string) => {
      await nft('add', 'table', 'inet', name)
      await nft('delete', 'table', 'inet', name)
      for (let i = 0; i < 100 && !output.includes(`delete table inet ${name}`); i++) await sleep(20)
      if (!output.includes(`delete table inet ${name}`)) throw new Error(`nft monitor never saw ${name}`)
    }
    // The monitor may need a moment to subscribe: repeat the first sentinel until it is seen.
    for (let i = 0; ; i++) {
      try {
        await sentinel(`capdwatch${i}`)
        break
      } catch (error) {
        if (i >= 5) throw error
      }
    }
    const from = output.length
    await action()
    await sentinel('capdwatchend')
    monitor.kill()
    return output
      .slice(from)
      .split('\n')
      .filter((line) => line.trim() && !line.includes('capdwatch') && !line.startsWith('#'))
  }
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const bigints = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)
