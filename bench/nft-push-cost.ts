/**
 * `pnpm exec tsx bench/nft-push-cost.ts` (root): where a top-up's time goes at the router, without the
 * controller. One subscriber among N on the nftables driver in a namespace router is moved between
 * "blocked at its cap" and "topped up" by pushes (apply with `only`), by full applies, and, as the
 * baseline of the same run, by a bare `nft delete element`/`add element` on a block set of a second
 * table in the same namespace (nft reads the whole namespace's ruleset into its cache either way).
 * The plan alone is timed in this process on the table as listed. N: 0 and BENCH_PUSH_SUBSCRIBERS
 * (default 1000,10000); rounds: BENCH_PUSH_ROUNDS (default 20).
 */
import type { SubscriberRule } from '../agent/src/drivers/driver.js'
import { parseListing } from '../agent/src/drivers/nftables/nft-json.js'
import { createNftablesDriver } from '../agent/src/drivers/nftables/nftables-driver.js'
import { planChanges } from '../agent/src/drivers/nftables/plan.js'
import { createNetnsRouter } from '../test/src/support/netns-router.js'
import { positiveInt, positiveInts } from './config.js'
import { fleetAddress } from './fleet.js'
import { percentile } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const TARGET = 'target'
const TARGET_ADDRESS = '10.250.0.1'

const since = (started: number) => performance.now() - started

async function measure(n: number, rounds: number) {
  const net = await createNetnsRouter({ customers: 1 })
  try {
    const driver = createNftablesDriver({ netns: net.routerNs, timeoutMs: 120_000 })
    await driver.start()
    const others: SubscriberRule[] = Array.from({ length: n }, (_, i) => ({
      subscriberId: `s${i}`,
      address: fleetAddress(i),
      state: 'open',
      remainingBytes: 1_000_000_000n,
    }))
    const target = (i: number, blocked: boolean): SubscriberRule => ({
      subscriberId: TARGET,
      address: TARGET_ADDRESS,
      state: blocked ? 'blocked' : 'open',
      remainingBytes: blocked ? 0n : BigInt(250_000 + i),
    })
    const nft = (script: string) => net.exec(net.routerNs, ['nft', '-f', '-'], script)
    await nft('add table inet bare\nadd set inet bare block4 { type ipv4_addr; }\n')
    let reading = await driver.readCounters()
    await driver.apply([...others, target(0, true)], reading)
    reading = await driver.readCounters()
    const only = new Set([TARGET])
    const times = { push: [] as number[], full: [] as number[], bare: [] as number[], plan: [] as number[] }
    for (let i = 1; i <= rounds; i++) {
      let started = performance.now()
      await nft(`delete element inet bare block4 { ${TARGET_ADDRESS} }\n`).catch(() => {})
      times.bare.push(since(started))
      await nft(`add element inet bare block4 { ${TARGET_ADDRESS} }\n`)

      started = performance.now()
      await driver.apply([...others, target(i, false)], reading, undefined, only)
      times.push.push(since(started))
      await driver.apply([...others, target(i, true)], reading, undefined, only)

      started = performance.now()
      await driver.apply([...others, target(i, false)], reading)
      times.full.push(since(started))
      await driver.apply([...others, target(i, true)], reading)
    }
    // The plan alone, in this process, on the table as listed (what a push plans against).
    const listed = parseListing(
      await net.exec(net.routerNs, ['nft', '-j', 'list', 'table', 'inet', 'capd']),
      'capd',
    )
    for (let i = 0; i < rounds; i++) {
      const started = performance.now()
      planChanges([...others, target(i, false)], listed, reading, new Map(), true, only)
      times.plan.push(since(started))
    }
    return times
  } finally {
    await net.destroy()
  }
}

const counts = [0, ...positiveInts('BENCH_PUSH_SUBSCRIBERS', [1_000, 10_000])]
const rounds = positiveInt('BENCH_PUSH_ROUNDS', 20)
console.log(
  `\n## A top-up at the router: one subscriber among N unblocked and given a new quota (${rounds} rounds each)\n`,
)
const rows = []
for (const n of counts) {
  const t = await measure(n, rounds)
  const p = (values: number[], q: number) => percentile(values, q)
  for (const [label, values] of [
    ['bare nft delete element', t.bare],
    ['capd push (plan + nft batch)', t.push],
    ['capd full apply', t.full],
    ['capd push: plan alone', t.plan],
  ] as const) {
    rows.push([
      `${n.toLocaleString('en-US')} others: ${label}`,
      formatNumber(p(values, 50)),
      formatNumber(p(values, 99)),
      ratio(p(values, 50), p(t.bare, 50)),
      ratio(p(values, 99), p(t.bare, 99)),
    ])
  }
}
printTable(['path', 'p50 ms', 'p99 ms', 'p50 vs bare', 'p99 vs bare'], rows)
