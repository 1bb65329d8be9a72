/**
 * Top-up → access restored: a subscriber blocked at its cap on the namespace router, a probe datagram
 * every 1 ms from upstream, then POST …/topups; timed from just before the request to the first
 * datagram that reaches the customer. Controller and agent are real child processes and the agent
 * polls only every second, so access can only come back through the pushed limits. Baselines,
 * interleaved round by round: the same probe to a second customer in a bare nft table of the same
 * shape, timing the kernel's own change by hand — its spent quota re-armed (what capd runs), and one
 * `nft delete element` of the block set (the layout before, which blocked there).
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

/** The baseline table's quota and its map (capd's layout: a quota matched both ways). */
const BARE_QUOTA = 'q_bare'
const BARE_QUOTA_MAPS = [setNames(4).quotaDown, setNames(4).quotaUp] as const
/** A quota the probe cannot spend within the bench. */
const OPEN_QUOTA_BYTES = 10n ** 12n

/**
 * The baseline table: capd's block set and quota maps (same set types, hook and priority), holding
 * `address`, whose quota starts spent (`over 1 bytes`: the next packet is over) and whose address is
 * not in the block set.
 */
async function createBareTable(net: NetnsRouter, address: string): Promise<void> {
  const t = `inet ${BARE_TABLE}`
  const [down, up] = BARE_QUOTA_MAPS
  await nftScript(net, [
    `add table ${t}`,
    `add set ${t} ${BLOCK_SET} { type ipv4_addr; flags interval; }`,
    `add map ${t} ${down} { type ipv4_addr : quota; flags interval; }`,
    `add map ${t} ${up} { type ipv4_addr : quota; flags interval; }`,
    `add quota ${t} ${BARE_QUOTA} { over 1 bytes; }`,
    `add chain ${t} forward { type filter hook forward priority ${CHAIN_PRIORITY}; policy accept; }`,
    `add rule ${t} forward ip daddr @${BLOCK_SET} drop`,
    `add rule ${t} forward ip saddr @${BLOCK_SET} drop`,
    `add rule ${t} forward quota name ip daddr map @${down} drop`,
    `add rule ${t} forward quota name ip saddr map @${up} drop`,
  ])
  // An element cannot point at an object made in the same batch as its table.
  await nftScript(net, [
    `add element ${t} ${down} { ${address} : "${BARE_QUOTA}" }`,
    `add element ${t} ${up} { ${address} : "${BARE_QUOTA}" }`,
  ])
}

function nftScript(net: NetnsRouter, lines: readonly string[]): Promise<string> {
  return net.exec(net.routerNs, ['nft', '-f', '-'], `${lines.join('\n')}\n`)
}

/**
 * One baseline round of each kind, from the spent quota and back: the quota re-armed by hand the way
 * capd does it (`add quota` + `reset quota`, one batch), timed; then the address blocked by the
 * block set and unblocked by hand (`nft delete element`, the change of the layout before), timed;
 * then the quota spent again.
 */
async function bareRound(net: NetnsRouter, probe: UdpProbe, address: string, tag: string, bare: BareSamples) {
  const t = `inet ${BARE_TABLE}`
  const quota = (bytes: bigint) => `add quota ${t} ${BARE_QUOTA} { over ${bytes} bytes; }`
  const rearm = [quota(OPEN_QUOTA_BYTES), `reset quota ${t} ${BARE_QUOTA}`]
  await timeRestore(probe, `${tag}q`, () => nftScript(net, rearm).then(() => undefined), bare.quota)
  const element = ['element', 'inet', BARE_TABLE, BLOCK_SET, `{ ${address} }`]
  const nft = (...args: string[]) => net.exec(net.routerNs, ['nft', ...args])
  await nft('add', ...element)
  await timeRestore(probe, `${tag}e`, () => nft('delete', ...element).then(() => undefined), bare.element)
  await nftScript(net, [quota(1n)])
}

interface BareSamples {
  /** capd's layout: the spent quota re-armed. */
  quota: Samples
  /** The layout before: the address deleted from the block set. */
  element: Samples
}

interface Scenario {
  /** Other subscribers on the same agent (addresses without hosts). */
  background: number
  bare: BareSamples
  capd: CapdSamples
  /** The first top-up after the controller and agent started, apart from `capd`. */
  first: Samples
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
      const bare: BareSamples = { quota: noSamples(), element: noSamples() }
      // The first top-up of a freshly started controller and agent loads code and warms the JIT:
      // timed, but kept apart (as in the two-controller bench).
      const first = noSamples()
      await driveToBlocked(net, probe, subscriberId, api)
      await timeRestore(probe, 'warm', () => topUp(api, subscriberId, `${keyPrefix}-warm`), first)
      const disconnectsBefore = agent.disconnects()
      for (let i = 0; i < rounds; i++) {
        await driveToBlocked(net, probe, subscriberId, api)
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
      return { background, bare, capd, first, disconnects }
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
    const { capd } = s
    const base = s.bare.quota.restoreMs
    rows.push(
      row(`${who}: bare nft, quota re-armed → first datagram`, base, base),
      row(`${who}: bare nft, quota command exited`, s.bare.quota.answerMs, base),
      row(`${who}: bare nft, element deleted → first datagram`, s.bare.element.restoreMs, base),
      row(`${who}: capd, top-up → first datagram`, capd.restoreMs, base),
      row(`${who}: capd, API answer`, capd.answerMs, base),
      row(
        `${who}: capd, API answer → first datagram`,
        capd.restoreMs.map((ms, i) => ms - capd.answerMs[i]!),
        base,
      ),
    )
  }
  printTable(['path', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 vs bare', 'p99 vs bare'], rows)
  console.log('')
  for (const s of scenarios) {
    const p99 = percentile(s.capd.restoreMs, 99)
    console.log(
      `goal p99 ≤ ${GOAL_P99_MS} ms with ${s.background.toLocaleString('en-US')} other subscribers: ` +
        `${formatNumber(p99)} ms, ${p99 <= GOAL_P99_MS ? 'met' : 'MISSED'} (the first top-up after start, ` +
        `kept apart: ${formatNumber(s.first.restoreMs[0]!)} ms, API answer ${formatNumber(s.first.answerMs[0]!)} ms); ` +
        'the controller showed "blocked" ' +
        `before ${s.capd.controllerSawBlocked} of ${s.capd.restoreMs.length} top-ups; agent disconnects ` +
        `during the rounds: ${s.disconnects.text}` +
        (s.disconnects.count > 0 ? ' (each one a reconnect and a full sync: not a steady state)' : ''),
    )
  }
  console.log(
    '\nchange → first datagram = from just before the POST (capd) or the nft spawn (bare) to the first probe ' +
      'datagram at the customer, stamped there with the same monotonic clock; resolution 1 ms (the probe ' +
      'interval). Each capd round bursts past the allowance, waits until the kernel quota is spent and the ' +
      'controller shows the subscriber blocked (the agent booked the poll that saw it), then waits a random ' +
      'part of the poll interval. Every round first checks for 20 ms that no probe datagram gets through. ' +
      "Bare, for a second customer in a table of the same shape as capd's (block set, quota maps, hook, " +
      `priority), run the way the agent runs nft (\`ip netns exec <router> nft\`): "quota re-armed" = one ` +
      `\`nft -f -\` of \`add quota inet ${BARE_TABLE} ${BARE_QUOTA} { over … }\` and \`reset quota\` (what ` +
      'capd runs for a top-up of a subscriber its quota blocks); "element deleted" = `nft delete element ' +
      `inet ${BARE_TABLE} ${BLOCK_SET} { <address> }\` (the change of the layout before, where the block ` +
      'set held the subscriber). One bare round of each runs in each capd round. Ratios are against the ' +
      'bare quota re-armed of the same scenario. The other subscribers have addresses without hosts in ' +
      '10.100.0.0/16.',
  )
}
