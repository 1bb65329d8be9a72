/**
 * Top-up → access restored: a subscriber blocked at its cap on the namespace router, a probe datagram
 * every 1 ms from upstream, then POST …/topups; timed from just before the request to the first
 * datagram that reaches the customer. Controller and agent are real child processes and the agent
 * polls only every second, so access can only come back through the pushed limits. Baseline,
 * interleaved round by round: the same probe to a second customer blocked in a bare nft table of the
 * same shape, timing one `nft delete element` of its block — the kernel's own change.
 */
import { randomBytes } from 'node:crypto'
import { CHAIN_PRIORITY, setNames } from '../agent/src/drivers/nftables/layout.js'
import { apiClient } from '../test/src/support/api-client.js'
import { createNetnsRouter, type NetnsRouter } from '../test/src/support/netns-router.js'
import { newDisconnects, startAgentProcess } from './agent-process.js'
import { ADMIN_TOKEN, fleetAddress, seedFleet, startFleetController, wsUrl } from './fleet.js'
import {
  CAP_BYTES,
  driveToBlocked,
  noSamples,
  POLL_INTERVAL_MS,
  row,
  type Samples,
  TOPUP_BYTES,
  timeRestore,
  topUp,
  waitForCounter,
} from './restore-rounds.js'
import type { RouterBenchConfig } from './router-config.js'
import { withScratchDir } from './scratch.js'
import { percentile, sleep } from './stats.js'
import { formatNumber, printTable } from './table.js'
import { startUdpProbe, type UdpProbe } from './udp-probe.js'

const GOAL_P99_MS = 50
/** The baseline's own table: the agent owns only `inet capd` and never looks at another. */
const BARE_TABLE = 'capd_bench_bare'
const BLOCK_SET = setNames(4).block

interface CapdSamples extends Samples {
  /** Rounds in which GET /subscribers/:id showed "blocked" before the top-up. */
  controllerSawBlocked: number
}

/** The baseline table: the capd block rules (same set type, hook and priority) with `address` blocked. */
async function createBareTable(net: NetnsRouter, address: string): Promise<void> {
  const t = `inet ${BARE_TABLE}`
  await net.exec(
    net.routerNs,
    ['nft', '-f', '-'],
    [
      `add table ${t}`,
      `add set ${t} ${BLOCK_SET} { type ipv4_addr; flags interval; }`,
      `add chain ${t} forward { type filter hook forward priority ${CHAIN_PRIORITY}; policy accept; }`,
      `add rule ${t} forward ip daddr @${BLOCK_SET} drop`,
      `add rule ${t} forward ip saddr @${BLOCK_SET} drop`,
      `add element ${t} ${BLOCK_SET} { ${address} }`,
      '',
    ].join('\n'),
  )
}

/** One baseline round: unblock by hand, time it, block again. */
async function bareRound(net: NetnsRouter, probe: UdpProbe, address: string, tag: string, samples: Samples) {
  const element = ['element', 'inet', BARE_TABLE, BLOCK_SET, `{ ${address} }`]
  const nft = (...args: string[]) => net.exec(net.routerNs, ['nft', ...args])
  await timeRestore(probe, tag, () => nft('delete', ...element).then(() => undefined), samples)
  await nft('add', ...element)
}

interface Scenario {
  /** Other subscribers on the same agent (addresses without hosts). */
  background: number
  bare: Samples
  capd: CapdSamples
  /** Controller connections the agent lost during the timed rounds, with the close reasons. */
  disconnects: { count: number; text: string }
}

async function scenario(config: RouterBenchConfig, background: number, rounds: number): Promise<Scenario> {
  return withScratchDir(config.tmpRoot, async (dir) => {
    const started = performance.now()
    const net = await createNetnsRouter({ customers: 2 })
    const stops: Array<() => Promise<unknown>> = [() => net.destroy()]
    try {
      const [customer, bareCustomer] = [net.customer(0), net.customer(1)]
      const addresses = [customer.ipv4, ...Array.from({ length: background }, (_, i) => fleetAddress(i))]
      const fleet = await seedFleet(dir, { capBytes: CAP_BYTES, onCap: 'block' }, addresses)
      const subscriberId = fleet.subscriberIds[0]!
      await createBareTable(net, bareCustomer.ipv4)
      const probe = await startUdpProbe(net, customer)
      stops.unshift(() => probe.close())
      const bareProbe = await startUdpProbe(net, bareCustomer)
      stops.unshift(() => bareProbe.close())

      const controller = await startFleetController(dir)
      stops.unshift(() => controller.kill())
      const agent = await startAgentProcess({
        controller: wsUrl(controller.baseUrl),
        token: fleet.agentToken,
        dir,
        netns: net.routerNs,
        pollIntervalMs: POLL_INTERVAL_MS,
      })
      stops.unshift(() => agent.kill())
      await waitForCounter(net, subscriberId)

      const api = apiClient(controller.baseUrl, ADMIN_TOKEN)
      const keyPrefix = randomBytes(6).toString('hex')
      const capd: CapdSamples = { ...noSamples(), controllerSawBlocked: 0 }
      const bare = noSamples()
      const disconnectsBefore = agent.disconnects()
      for (let i = 0; i < rounds; i++) {
        await driveToBlocked(net, probe, customer.ipv4)
        // A random moment of the agent's poll cycle, as a real top-up would come; the baseline
        // round runs in that wait, so both see the same machine at the same time.
        const waitUntil = performance.now() + Math.random() * POLL_INTERVAL_MS
        await bareRound(net, bareProbe, bareCustomer.ipv4, `b${i}`, bare)
        await sleep(Math.max(0, waitUntil - performance.now()))
        if ((await api('GET', `/subscribers/${subscriberId}`)).body?.state === 'blocked') {
          capd.controllerSawBlocked++
        }
        await timeRestore(probe, `t${i}`, () => topUp(api, subscriberId, `${keyPrefix}-${i}`), capd)
      }
      const disconnects = newDisconnects(disconnectsBefore, agent.disconnects())
      console.error(
        `  restore latency, ${background} other subscribers: ${formatNumber((performance.now() - started) / 1000)} s`,
      )
      return { background, bare, capd, disconnects }
    } finally {
      for (const stop of stops) await stop().catch(() => {})
    }
  })
}

export async function topUpRestoreLatency(config: RouterBenchConfig): Promise<void> {
  console.log(
    `\n## Top-up → access restored (probe datagram every 1 ms upstream → customer; agent polls every ` +
      `${POLL_INTERVAL_MS} ms, so access returns only through the pushed limits; cap ${CAP_BYTES / 1000} kB, ` +
      `top-ups of ${TOPUP_BYTES / 1000} kB)\n`,
  )
  const scenarios: Scenario[] = []
  for (const [n, rounds] of [
    [0, config.topUps],
    ...config.restoreBackground.map((n) => [n, config.restoreBackgroundTopUps]),
  ] as const) {
    // One scenario that cannot run (a fleet too slow for this machine) must not lose the others' figures.
    try {
      scenarios.push(await scenario(config, n, rounds))
    } catch (error) {
      console.log(`restore latency with ${n} other subscribers: not measured: ${(error as Error).message}`)
    }
  }
  const rows = []
  for (const s of scenarios) {
    const who =
      s.background === 0 ? '1 subscriber' : `1 + ${s.background.toLocaleString('en-US')} subscribers`
    const { bare, capd } = s
    rows.push(
      row(`${who}: bare nft, change → first datagram`, bare.restoreMs, bare.restoreMs),
      row(`${who}: bare nft, command exited`, bare.answerMs, bare.restoreMs),
      row(`${who}: capd, top-up → first datagram`, capd.restoreMs, bare.restoreMs),
      row(`${who}: capd, API answer`, capd.answerMs, bare.restoreMs),
      row(
        `${who}: capd, API answer → first datagram`,
        capd.restoreMs.map((ms, i) => ms - capd.answerMs[i]!),
        bare.restoreMs,
      ),
    )
  }
  printTable(['path', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 vs bare', 'p99 vs bare'], rows)
  console.log('')
  for (const s of scenarios) {
    const p99 = percentile(s.capd.restoreMs, 99)
    console.log(
      `goal p99 ≤ ${GOAL_P99_MS} ms with ${s.background.toLocaleString('en-US')} other subscribers: ` +
        `${formatNumber(p99)} ms, ${p99 <= GOAL_P99_MS ? 'met' : 'MISSED'}; the controller showed "blocked" ` +
        `before ${s.capd.controllerSawBlocked} of ${s.capd.restoreMs.length} top-ups; agent disconnects ` +
        `during the rounds: ${s.disconnects.text}` +
        (s.disconnects.count > 0 ? ' (each one a reconnect and a full sync: not a steady state)' : ''),
    )
  }
  console.log(
    '\nchange → first datagram = from just before the POST (capd) or the nft spawn (bare) to the first probe ' +
      'datagram at the customer, stamped there with the same monotonic clock; resolution 1 ms (the probe ' +
      'interval). Each capd round bursts past the allowance, waits until the agent has put the address into ' +
      'its block set (a poll saw the kernel quota spent), then waits a random part of the poll interval. ' +
      'Every round first checks for 20 ms that no probe datagram gets through. Bare = `ip netns exec <router> ' +
      `nft delete element inet ${BARE_TABLE} ${BLOCK_SET} { <address> }\` (run the way the agent runs nft) ` +
      "for a second customer, blocked in a table with the same set type, hook and priority as capd's; one " +
      'bare round runs in each capd round. Ratios are against the bare restore of the same scenario. The ' +
      'other subscribers have addresses without hosts in 10.100.0.0/16.',
  )
}
