/**
 * Random sequences of limit changes (add, block, unblock, throttle, quota, re-address, remove, driver
 * restart), each applied as a push of the changed subscribers or as a full apply, against a real nft
 * table in a namespace router: after every step the kernel's own listing must hold exactly the
 * intended elements and objects, counters must survive every step that does not re-address or remove
 * their subscriber, and real packets to three real customers must pass or die as intended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { objectNames, setNames } from '../../agent/src/drivers/nftables/layout.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { limitFor } from '../../agent/src/drivers/nftables/plan.js'
import { MAX_PACKET_BYTES } from '../../agent/src/drivers/nftables/quota-plan.js'
import { createNetnsRouter, type NetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('nftables random limits test', unavailable)
const title = needs.title(`nftables driver, random limit changes`)

const GHOSTS = 300
const STEPS = 30
const REAL = 3
const MB = 1_000_000n

/** A deterministic generator, so a failure names the seed that reproduces it. */
function random(seed: number) {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
  return {
    below: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  }
}

type Rng = ReturnType<typeof random>

/** Addresses without hosts behind them: IPv4 and IPv6 hosts and IPv4 /29s, never overlapping. */
function ghostAddress(i: number): string {
  if (i % 5 === 3) return `fd00:210::${(i + 1).toString(16)}`
  if (i % 5 === 4) return `10.212.${i % 250}.${8 * Math.floor(i / 250)}/29`
  return `10.211.${Math.floor(i / 250)}.${(i % 250) + 1}`
}

interface Kernel {
  elements: Map<string, Map<string, string>>
  counters: Set<string>
  quotas: Set<string>
  limits: Map<string, string>
}

const UNIT: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 ** 2 }

/** The table from `nft -j list table inet capd`, read here without the driver's parser. */
function kernelOf(text: string): Kernel {
  const kernel: Kernel = { elements: new Map(), counters: new Set(), quotas: new Set(), limits: new Map() }
  const key = (k: unknown): string => {
    if (typeof k === 'string') return k
    const p = (k as { prefix?: { addr: string; len: number } }).prefix
    if (p) return `${p.addr}/${p.len}`
    throw new Error(`unexpected element ${JSON.stringify(k)}`)
  }
  for (const item of (JSON.parse(text) as { nftables: Array<Record<string, Record<string, unknown>>> })
    .nftables) {
    const [kind, o] = Object.entries(item)[0]!
    if (o?.table !== 'capd') continue
    const name = String(o.name)
    if (kind === 'counter') kernel.counters.add(name)
    if (kind === 'quota') kernel.quotas.add(name)
    if (kind === 'limit') {
      const rate = Number(o.rate) * UNIT[String(o.rate_unit)]!
      const burst = Number(o.burst) * UNIT[String(o.burst_unit ?? o.rate_unit)]!
      kernel.limits.set(name, `${o.inv ? 'over ' : ''}${rate}/${burst}`)
    }
    if (kind === 'set' || kind === 'map') {
      const elements = new Map<string, string>()
      for (const e of (o.elem as unknown[] | undefined) ?? []) {
        if (kind === 'map') elements.set(key((e as unknown[])[0]), String((e as unknown[])[1]))
        else elements.set(key(e), '')
      }
      if (elements.size > 0) kernel.elements.set(name, elements)
    }
  }
  return kernel
}

/** What the table must hold for these rules. */
function intended(rules: Iterable<SubscriberRule>): Kernel {
  const want: Kernel = { elements: new Map(), counters: new Set(), quotas: new Set(), limits: new Map() }
  const put = (set: string, k: string, value = '') => {
    const elements = want.elements.get(set) ?? new Map<string, string>()
    elements.set(k, value)
    want.elements.set(set, elements)
  }
  for (const rule of rules) {
    const names = objectNames(rule.subscriberId)
    const address = rule.address!
    const sets = setNames(address.includes(':') ? 6 : 4)
    want.counters.add(names.countDown).add(names.countUp)
    put(sets.countDown, address, names.countDown)
    put(sets.countUp, address, names.countUp)
    // A quota counted both ways holds the block itself (plan.ts holdsBlock): no element for it.
    const quotaHolds =
      rule.remainingBytes !== undefined &&
      rule.remainingBytes < MAX_PACKET_BYTES &&
      (rule.count ?? 'both') === 'both'
    if (rule.state === 'blocked' && !quotaHolds) put(sets.block, address)
    if (rule.state === 'throttled') {
      const down = limitFor(rule.throttleKbps!)
      const up = limitFor(rule.throttleUpKbps ?? rule.throttleKbps!)
      want.limits.set(names.limitDown, `over ${down.bytesPerSecond}/${down.burstBytes}`)
      want.limits.set(names.limitUp, `over ${up.bytesPerSecond}/${up.burstBytes}`)
      put(sets.limitDown, address, names.limitDown)
      put(sets.limitUp, address, names.limitUp)
    }
    if (rule.remainingBytes !== undefined) {
      want.quotas.add(names.quota)
      if (rule.count !== 'up') put(sets.quotaDown, address, names.quota)
      if (rule.count !== 'down') put(sets.quotaUp, address, names.quota)
    }
  }
  return want
}

const sorted = (kernel: Kernel) => ({
  elements: Object.fromEntries(
    [...kernel.elements]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([n, e]) => [n, Object.fromEntries([...e].sort())]),
  ),
  counters: [...kernel.counters].sort(),
  quotas: [...kernel.quotas].sort(),
  limits: Object.fromEntries([...kernel.limits].sort()),
})

/** A random new rule for a subscriber (state, throttle, quota and direction all drawn). */
function randomLimits(rng: Rng, rule: SubscriberRule, real: boolean): SubscriberRule {
  const next: SubscriberRule = { subscriberId: rule.subscriberId, address: rule.address, state: 'open' }
  const state = rng.pick(['open', 'open', 'blocked', 'throttled'] as const)
  next.state = state
  if (state === 'throttled') {
    next.throttleKbps = rng.pick([256, 1000, 8000])
    if (rng.chance(0.4)) next.throttleUpKbps = rng.pick([128, 512])
  }
  if (rng.chance(0.7)) {
    // Real customers: spent (nothing passes) or plenty (pings pass); others anything.
    next.remainingBytes = real ? rng.pick([0n, 10n * MB]) : BigInt(rng.below(5_000_000)) - 1000n
    // A real customer's quota counts both ways, so an exhausted one stops the ping either way.
    if (!real && rng.chance(0.4)) next.count = rng.pick(['down', 'up'] as const)
  }
  return next
}

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: REAL })
  })
  afterAll(async () => {
    await net?.destroy()
  })

  it('keeps the kernel equal to the intended limits through random pushes, full applies and restarts', async () => {
    const seed = Number(process.env.CAPD_TEST_SEED ?? Date.now() % 1_000_000)
    const rng = random(seed)
    const log: string[] = []
    const fail = (what: string) => `seed ${seed}, steps: ${log.join('; ')}: ${what}`
    const open = () => createNftablesDriver({ netns: net.routerNs, timeoutMs: 30_000 })
    let driver: RouterDriver = open()
    await driver.start()

    const rules = new Map<string, SubscriberRule>()
    for (let i = 0; i < GHOSTS; i++)
      rules.set(`g${i}`, { subscriberId: `g${i}`, address: ghostAddress(i), state: 'open' })
    for (let i = 0; i < REAL; i++) {
      rules.set(`c${i}`, { subscriberId: `c${i}`, address: net.customer(i).ipv4, state: 'open' })
    }
    let nextGhost = GHOSTS
    let reading: CounterReading = await driver.readCounters()
    await driver.apply([...rules.values()], reading)
    reading = await driver.readCounters()

    for (let step = 0; step < STEPS; step++) {
      const changed = new Set<string>()
      /** Subscribers whose counters may start again: re-addressed, removed, added. */
      const renewed = new Set<string>()
      const ops: string[] = []
      for (let n = 1 + rng.below(4); n > 0; n--) {
        const op = rng.pick(['limits', 'limits', 'limits', 'readdress', 'remove', 'add'] as const)
        const ids = [...rules.keys()]
        const id = op === 'add' ? `g${nextGhost++}` : rng.pick(ids)
        if (changed.has(id)) continue
        changed.add(id)
        const real = id.startsWith('c')
        const rule = rules.get(id)
        if (op === 'limits' && rule) {
          rules.set(id, randomLimits(rng, rule, real))
        } else if (op === 'readdress' && rule) {
          const customer = real ? net.customer(Number(id.slice(1))) : undefined
          const address = customer
            ? rule.address === customer.ipv4
              ? customer.ipv6
              : customer.ipv4
            : ghostAddress(nextGhost++)
          rules.set(id, { ...rule, address })
          renewed.add(id)
        } else if (op === 'remove' && !real) {
          rules.delete(id)
          renewed.add(id)
        } else if (op === 'add') {
          rules.set(
            id,
            randomLimits(rng, { subscriberId: id, address: ghostAddress(nextGhost++), state: 'open' }, false),
          )
          renewed.add(id)
        } else {
          changed.delete(id)
          continue
        }
        ops.push(`${op} ${id}`)
      }
      const restart = rng.chance(0.15)
      if (restart) {
        await driver.close()
        driver = open()
        await driver.start()
        reading = await driver.readCounters()
      }
      const push = rng.chance(0.7)
      log.push(`${step}:${restart ? ' restart,' : ''} ${push ? 'push' : 'full'} ${ops.join(', ')}`)
      const before = new Map(reading.samples.map((s) => [s.subscriberId, s.counterId]))
      await driver.apply([...rules.values()], reading, undefined, push ? changed : undefined)

      const kernel = kernelOf(await net.exec(net.routerNs, ['nft', '-j', 'list', 'table', 'inet', 'capd']))
      expect(sorted(kernel), fail('the kernel table')).toEqual(sorted(intended(rules.values())))
      reading = await driver.readCounters()
      for (const sample of reading.samples) {
        const was = before.get(sample.subscriberId)
        if (was !== undefined && !renewed.has(sample.subscriberId)) {
          expect(sample.counterId, fail(`the counter of ${sample.subscriberId}`)).toBe(was)
        }
      }
      expect(reading.samples.map((s) => s.subscriberId).sort(), fail('the counted subscribers')).toEqual(
        [...rules.keys()].sort(),
      )
      const pings = await Promise.all(
        Array.from({ length: REAL }, async (_, i) => {
          const rule = rules.get(`c${i}`)!
          const passes =
            rule.state !== 'blocked' && (rule.remainingBytes === undefined || rule.remainingBytes > 0n)
          return [
            `c${i} ${rule.address} ${rule.state} ${rule.remainingBytes}`,
            passes,
            await net.ping(net.upstreamNs, rule.address!),
          ] as const
        }),
      )
      for (const [who, want, got] of pings) expect(got, fail(`a ping to ${who}`)).toBe(want)
    }
    await driver.close()
  }, 600_000)
})
