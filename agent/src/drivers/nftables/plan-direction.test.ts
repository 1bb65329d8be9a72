/**
 * The quota plan against a small model of the kernel, over random sequences of traffic, polls,
 * top-ups and direction changes: after every apply the kernel lets through exactly what the agent
 * still allows in the counted direction, and traffic never passes the allowance by more than a packet.
 */
import type { CountDirection } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import type { CounterReading, SubscriberRule } from '../driver.js'
import { counterSamples } from './counters.js'
import { SETS } from './layout.js'
import type { InstalledTable } from './nft-json.js'
import { countedBytes, planChanges, type QuotaCap } from './plan.js'
import { MAX_PACKET_BYTES } from './quota-plan.js'
import type { Change } from './ruleset.js'

const ADDRESS = '10.0.0.5'

/** The kernel as far as one subscriber's counters, quota and map elements go. */
class KernelModel {
  private handles = 10
  counters = new Map<string, { handle: number; bytes: bigint }>()
  quotas = new Map<string, { handle: number; over: bigint; consumed: bigint }>()
  elements = new Map(SETS.map((set) => [set.name, new Map<string, string>()]))

  /** A fresh listing each time: counter samples are cached per listing object. */
  listing(): InstalledTable {
    return {
      handle: 1,
      counters: new Map(
        [...this.counters].map(([n, c]) => [n, { handle: c.handle, packets: 0n, bytes: c.bytes }]),
      ),
      quotas: new Map(
        [...this.quotas].map(([n, q]) => [
          n,
          // nft lists `used` capped at `over` once the quota has run out.
          { handle: q.handle, overBytes: q.over, usedBytes: q.consumed < q.over ? q.consumed : q.over },
        ]),
      ),
      limits: new Map(),
      elements: new Map([...this.elements].map(([n, e]) => [n, new Map(e)])),
      chain: undefined,
    }
  }

  apply(changes: readonly Change[]): void {
    for (const c of changes) {
      if (c.op === 'flush-set') this.elements.get(c.set)!.clear()
      if (c.op === 'delete-element') this.elements.get(c.set)!.delete(c.key)
    }
    for (const c of changes) {
      if (c.op === 'delete-object' && c.kind === 'counter') this.counters.delete(c.name)
      if (c.op === 'delete-object' && c.kind === 'quota') this.quotas.delete(c.name)
    }
    for (const c of changes) {
      if (c.op === 'add-counter') this.counters.set(c.name, { handle: this.handles++, bytes: 0n })
      if (c.op === 'set-quota') {
        const have = this.quotas.get(c.name)
        // `add quota` on an existing one changes only `over`; consumption stays.
        if (have) {
          have.over = c.overBytes
          if (c.reset) have.consumed = 0n
        } else this.quotas.set(c.name, { handle: this.handles++, over: c.overBytes, consumed: 0n })
      }
    }
    for (const c of changes) if (c.op === 'add-element') this.elements.get(c.set)!.set(c.key, c.value)
  }

  /** One packet: the quota (if its map holds the address this way) sees it, then the counter counts it. */
  packet(way: 'down' | 'up', bytes: bigint): boolean {
    const quotaName = this.elements.get(way === 'down' ? 'qd4' : 'qu4')!.get(ADDRESS)
    const quota = quotaName ? this.quotas.get(quotaName) : undefined
    if (quota) {
      quota.consumed += bytes
      if (quota.consumed > quota.over) return false
    }
    const counterName = this.elements.get(way === 'down' ? 'cd4' : 'cu4')!.get(ADDRESS)
    const counter = counterName ? this.counters.get(counterName) : undefined
    if (counter) counter.bytes += bytes
    return true
  }

  /** What the quota still lets through (the counted way). */
  quotaLeft(): bigint {
    const q = this.quotas.get('q_s')
    return !q || q.consumed >= q.over ? 0n : q.over - q.consumed
  }
}

const random = (n: number) => Math.floor(Math.random() * n)
const DIRECTIONS: CountDirection[] = ['both', 'down', 'up']

describe('quota plan by direction, against a kernel model', () => {
  // 500 random rounds: a second or two alone, far more on a machine busy with other tests.
  it('keeps the kernel quota equal to what the agent allows through random traffic, top-ups and direction changes', {
    timeout: 60_000,
  }, () => {
    for (let round = 0; round < 500; round++) {
      const kernel = new KernelModel()
      let count = DIRECTIONS[random(3)]!
      let allowance = BigInt(50_000 + random(400_000))
      let drawn = 0n
      let caps = new Map<string, QuotaCap>()
      let last: CounterReading | undefined
      /** Counted-way bytes that passed since the last direction change, and the allowance then left. */
      let sinceChange = { passed: 0n, budget: allowance }
      const log: string[] = []

      const read = (): CounterReading => ({ atMs: 0, bootId: 'b', samples: counterSamples(kernel.listing()) })
      const poll = () => {
        const reading = read()
        const now = reading.samples[0]
        const then = last?.samples[0]
        // Counters the plan created count from zero (the agent records their creation).
        if (now) drawn += countedBytes(now, count) - (then ? countedBytes(then, count) : 0n)
        last = reading
        return reading
      }
      const apply = (reading: CounterReading) => {
        const remaining = allowance > drawn ? allowance - drawn : 0n
        const rule: SubscriberRule = {
          subscriberId: 's',
          address: ADDRESS,
          state: 'open',
          remainingBytes: remaining,
          ...(count === 'both' ? {} : { count }),
        }
        const table = kernel.listing()
        const plan = planChanges([rule], table, reading, caps, true)
        caps = plan.caps
        kernel.apply(plan.changes)
        // Bytes that passed (counted way) between the reading and this apply are already spent.
        const nowSample = counterSamples(table)[0]
        const thenSample = reading.samples[0]
        // Counters created after the reading hold only bytes that passed since.
        const passed = !nowSample
          ? 0n
          : countedBytes(nowSample, count) -
            (thenSample?.counterId === nowSample.counterId ? countedBytes(thenSample, count) : 0n)
        const left = remaining - passed
        const kernelLeft = kernel.quotaLeft()
        const why = `round ${round}: ${log.join(', ')}; remaining ${remaining} passed ${passed} kernel ${kernelLeft}`
        if (left <= 0n) expect(kernelLeft, why).toBeLessThanOrEqual(1n)
        // A quota that ran out with less than a packet left ran out honestly and stays so.
        else if (kernelLeft !== left) expect(kernelLeft === 0n && left < MAX_PACKET_BYTES, why).toBe(true)
      }

      apply(poll())
      for (let step = 0; step < 40; step++) {
        const what = random(10)
        if (what < 5) {
          const way = Math.random() < 0.5 ? 'down' : 'up'
          const size = BigInt(40 + random(1460))
          let passedNow = 0n
          for (let i = random(200); i > 0; i--) if (kernel.packet(way, size)) passedNow += size
          if (count === 'both' || count === way) sinceChange.passed += passedNow
          log.push(`${way} ${passedNow}`)
        } else if (what < 8) {
          log.push('poll')
          apply(poll())
        } else if (what < 9) {
          const extra = BigInt(random(100_000))
          allowance += extra
          sinceChange.budget += extra
          log.push(`top-up ${extra}`)
          // A push between polls is planned from the last reading, as the agent does: perhaps one
          // from before the counters existed.
          apply(last ?? poll())
        } else {
          // The new rule applies from the next reading (as the books draw it): poll first.
          poll()
          count = DIRECTIONS[random(3)]!
          sinceChange = { passed: 0n, budget: allowance > drawn ? allowance - drawn : 0n }
          log.push(`count ${count}`)
          apply(last!)
        }
        // Never more than one packet past what was allowed while this direction was in force.
        expect(sinceChange.passed, `round ${round}: ${log.join(', ')}`).toBeLessThanOrEqual(
          sinceChange.budget + MAX_PACKET_BYTES,
        )
      }
    }
  })
})
