/**
 * The RouterOS driver's poll of 1,000 simple queues against the RouterOS peer (in this process,
 * over real TCP): readCounters + apply with nothing to change, against a bare `/queue/simple/print`
 * of the columns a poll needs, through the same session, interleaved round by round. Then a
 * top-up-like rule change (blocked → open) until the address-list entry is gone on the peer,
 * against one bare `/ip/firewall/address-list/remove` through the same session.
 */
import type { SubscriberRule } from '../agent/src/drivers/driver.js'
import { createRouterOsSession } from '../agent/src/drivers/routeros/api/index.js'
import { createRouterOsDriver } from '../agent/src/drivers/routeros/routeros-driver.js'
import { type RouterOsPeer, startRouterOsPeer } from '../test/src/support/routeros-peer/index.js'
import { median, percentile } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const USERS = { capd: 'bench' }

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  const value = raw ? Number(raw) : fallback
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

const entryGone = (peer: RouterOsPeer, comment: string) =>
  !peer.state.addressLists.items.some((entry) => entry.comment === comment)

/** Resolves with the ms from `startNs` until `condition` holds, checked on every turn of the event loop. */
function whenTrue(condition: () => boolean, startNs: bigint): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (condition()) resolve(Number(process.hrtime.bigint() - startNs) / 1e6)
      else setImmediate(check)
    }
    check()
  })
}

export async function routerOsPoll(): Promise<void> {
  const queues = positiveInt('BENCH_ROUTEROS_QUEUES', 1000)
  const rounds = positiveInt('BENCH_ROUTEROS_ROUNDS', 31)
  console.log(`\n## RouterOS poll of ${queues} queues (medians of ${rounds} rounds, peer in this process)\n`)
  const peer = await startRouterOsPeer({ users: USERS })
  const session = createRouterOsSession({
    host: peer.host,
    port: peer.port,
    user: 'capd',
    password: USERS.capd,
  })
  // The peer has no /ipv6 menus; the driver's note saying so is not bench output.
  const driver = createRouterOsDriver({
    host: peer.host,
    port: peer.port,
    user: '',
    password: '',
    session,
    log: () => {},
  })
  try {
    const rules: SubscriberRule[] = Array.from({ length: queues }, (_, i) => ({
      subscriberId: `sub-${i}`,
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      // Some blocked, so the address list is not empty either.
      state: i % 20 === 0 ? 'blocked' : 'open',
    }))
    const setupStarted = performance.now()
    await driver.start()
    await driver.apply(rules, await driver.readCounters())
    const setupMs = performance.now() - setupStarted
    // Counters that move and are long, as on a busy router.
    for (let i = 0; i < queues; i++)
      peer.setBytes(`capd:sub-${i}`, 2n ** 40n + BigInt(i), 2n ** 45n + BigInt(i))

    const bare = async () => {
      const rows = await session.run(
        '/queue/simple/print',
        {},
        { proplist: ['.id', 'name', 'target', 'bytes', 'max-limit'] },
      )
      if (rows.length !== queues) throw new Error(`${rows.length} rows, not ${queues}`)
    }
    const poll = async () => {
      const mark = peer.received.length
      const reading = await driver.readCounters()
      await driver.apply(rules, reading)
      if (reading.samples.length !== queues)
        throw new Error(`${reading.samples.length} samples, not ${queues}`)
      const changed = peer.received.slice(mark).filter(({ words }) => !words[0]!.endsWith('/print'))
      if (changed.length > 0) throw new Error(`a poll with nothing to change sent ${changed[0]!.words[0]}`)
    }
    const methods: Array<[string, () => Promise<void>]> = [
      ['bare /queue/simple/print (.id,name,target,bytes,max-limit)', bare],
      ['capd poll: readCounters + apply, no change', poll],
    ]
    const times = new Map(methods.map(([label]) => [label, [] as number[]]))
    for (const [, run] of methods) await run() // warm-up
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < methods.length; k++) {
        const [label, run] = methods[(round + k) % methods.length]!
        const started = performance.now()
        await run()
        times.get(label)!.push(performance.now() - started)
      }
    }

    // Top-up-like change: one subscriber from blocked to open, as a limits push makes the agent do.
    const subject = rules.findIndex((rule) => rule.state === 'blocked')
    const comment = `capd:${rules[subject]!.subscriberId}`
    const withState = (state: SubscriberRule['state']) =>
      rules.map((rule, i) => (i === subject ? { ...rule, state } : rule))
    const latency = { cached: [] as number[], fresh: [] as number[], bare: [] as number[] }
    for (let round = 0; round < rounds; round++) {
      // After a poll: the poll's listing is still valid, so only the remove goes out.
      await driver.apply(withState('blocked'), await driver.readCounters())
      const reading = await driver.readCounters()
      let startNs = process.hrtime.bigint()
      let visible = whenTrue(() => entryGone(peer, comment), startNs)
      await driver.apply(withState('open'), reading)
      latency.cached.push(await visible)
      // Right after another change: the listing is stale, so apply lists the router again first.
      await driver.apply(withState('blocked'), reading)
      startNs = process.hrtime.bigint()
      visible = whenTrue(() => entryGone(peer, comment), startNs)
      await driver.apply(withState('open'), reading)
      latency.fresh.push(await visible)
      // The floor: the one API call that makes the change.
      await driver.apply(withState('blocked'), reading)
      const [entry] = await session.run(
        '/ip/firewall/address-list/print',
        {},
        { query: [`?comment=${comment}`] },
      )
      startNs = process.hrtime.bigint()
      visible = whenTrue(() => entryGone(peer, comment), startNs)
      await session.run('/ip/firewall/address-list/remove', { '.id': entry!['.id']! })
      latency.bare.push(await visible)
    }

    console.log(
      `setup ${formatNumber(setupMs / 1000, 2)} s (${queues} queues and ${rules.filter((r) => r.state === 'blocked').length} ` +
        'list entries added through the driver); the peer shares this event loop, so both rows carry its work\n',
    )
    const baseline = median(times.get(methods[0]![0])!)
    printTable(
      ['method', 'median ms', 'p90 ms', 'vs bare print'],
      methods.map(([label]) => {
        const ms = times.get(label)!
        return [
          label,
          formatNumber(median(ms), 1),
          formatNumber(percentile(ms, 90), 1),
          ratio(median(ms), baseline),
        ]
      }),
    )
    console.log('')
    const floor = median(latency.bare)
    printTable(
      ['blocked → open, until the entry is gone on the peer', 'median ms', 'p90 ms', 'vs bare remove'],
      [
        ['bare /ip/firewall/address-list/remove', latency.bare],
        ["apply right after a poll (the poll's listing reused)", latency.cached],
        ['apply right after another change (lists the router first)', latency.fresh],
      ].map(([label, ms]) => [
        label as string,
        formatNumber(median(ms as number[]), 2),
        formatNumber(percentile(ms as number[], 90), 2),
        ratio(median(ms as number[]), floor),
      ]),
    )
  } finally {
    await driver.close()
    await session.close()
    await peer.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await routerOsPoll()
