/**
 * Top-up → access restored with two controllers on one PostgreSQL database: the nftables agent on
 * the namespace router is connected to A; a top-up posted to B reaches it through B's commit,
 * NOTIFY to A and A's push. Baseline, interleaved round by round in random order: the same top-up
 * posted to A itself. Needs root (namespaces) and a PostgreSQL server (CAPD_TEST_DATABASE_URL).
 */
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { openPgStore } from '../controller/src/store/postgres/open-pg-store.js'
import { createTestDatabase, postgresUnavailable } from '../controller/src/testing/pg-database.js'
import { apiClient } from '../test/src/support/api-client.js'
import { createNetnsRouter, netnsUnavailableReason } from '../test/src/support/netns-router.js'
import { newDisconnects, startAgentProcess } from './agent-process.js'
import { ADMIN_TOKEN, seedFleetInto, startFleetController, wsUrl } from './fleet.js'
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
import { median, percentile, sleep } from './stats.js'
import { formatNumber, printTable } from './table.js'
import { startUdpProbe } from './udp-probe.js'

const GOAL_P99_MS = 100
const PERCENTILES = [50, 95, 99, 100]
const load = () => loadavg()[0]!.toFixed(1)

/** Warnings and errors a process logged (pino JSON lines, level ≥ 40) in `text`: how many, and the distinct messages. */
function warnings(text: string): string {
  const messages: string[] = []
  for (const line of text.split('\n')) {
    const m = /^\{"level":(\d+).*?"msg":"((?:[^"\\]|\\.)*)"/.exec(line)
    if (m && Number(m[1]) >= 40) messages.push(m[2]!)
  }
  if (messages.length === 0) return '0'
  return `${messages.length} (${[...new Set(messages)].slice(0, 3).join('; ')})`
}

export async function multiControllerTopUp(config: RouterBenchConfig): Promise<void> {
  const rounds = config.topUps
  console.log(
    `\n## Two controllers on one PostgreSQL: top-up posted to B → access restored at a customer of A's ` +
      `agent, ${rounds} top-ups posted to B and ${rounds} to A (probe datagram every 1 ms; agent polls ` +
      `every ${POLL_INTERVAL_MS} ms; cap ${CAP_BYTES / 1000} kB, top-ups of ${TOPUP_BYTES / 1000} kB)\n`,
  )
  const unavailable = (await netnsUnavailableReason()) ?? (await postgresUnavailable())
  if (unavailable) {
    console.log(`skipped: ${unavailable}`)
    return
  }
  await withScratchDir(config.tmpRoot, async (dir) => {
    const started = performance.now()
    const db = await createTestDatabase()
    const net = await createNetnsRouter({ customers: 1 })
    const stops: Array<() => Promise<unknown>> = [() => db.drop(), () => net.destroy()]
    try {
      const customer = net.customer(0)
      const seeding = await openPgStore({ url: db.url, max: 2 })
      const fleet = await seedFleetInto(seeding, { capBytes: CAP_BYTES, onCap: 'block' }, [customer.ipv4])
      await seeding.close()
      const subscriberId = fleet.subscriberIds[0]!
      const probe = await startUdpProbe(net, customer)
      stops.unshift(() => probe.close())
      const a = await startFleetController(`${dir}/a`, ['--db', db.url])
      stops.unshift(() => a.kill())
      const b = await startFleetController(`${dir}/b`, ['--db', db.url])
      stops.unshift(() => b.kill())
      const agent = await startAgentProcess({
        controller: wsUrl(a.baseUrl),
        token: fleet.agentToken,
        dir,
        netns: net.routerNs,
        pollIntervalMs: POLL_INTERVAL_MS,
      })
      stops.unshift(() => agent.kill())
      await waitForCounter(net, subscriberId)
      const apis = { a: apiClient(a.baseUrl, ADMIN_TOKEN), b: apiClient(b.baseUrl, ADMIN_TOKEN) }
      const keyPrefix = randomBytes(6).toString('hex')
      /** Blocked by real traffic, a random moment of the poll cycle, then the timed top-up. */
      const round = async (side: 'a' | 'b', tag: string, samples: Samples) => {
        await driveToBlocked(net, probe, subscriberId, apis.a)
        await sleep(Math.random() * POLL_INTERVAL_MS)
        await timeRestore(probe, tag, () => topUp(apis[side], subscriberId, `${keyPrefix}-${tag}`), samples)
      }
      // A controller's first top-up loads code and opens pool connections: timed, but kept apart.
      const first = { a: noSamples(), b: noSamples() }
      for (const side of ['a', 'b'] as const) await round(side, `${side}w`, first[side])
      const loadBefore = load()
      const samples = { a: noSamples(), b: noSamples() }
      const disconnectsBefore = agent.disconnects()
      const logged = { a: a.output().length, b: b.output().length, agent: agent.output().length }
      for (let i = 0; i < rounds; i++) {
        // Both paths in each round, in random order, so both see the same machine.
        const order = Math.random() < 0.5 ? (['a', 'b'] as const) : (['b', 'a'] as const)
        for (const side of order) await round(side, `${side}${i}`, samples[side])
        if ((i + 1) % 10 === 0)
          console.error(
            `  multi-controller restore: ${i + 1}/${rounds} rounds, ` +
              `${formatNumber((performance.now() - started) / 1000)} s, load ${load()}`,
          )
      }
      const disconnects = newDisconnects(disconnectsBefore, agent.disconnects())
      const base = samples.a.restoreMs
      const gap = (s: Samples) => s.restoreMs.map((ms, i) => ms - s.answerMs[i]!)
      const r = (label: string, values: readonly number[]) => row(label, values, base, PERCENTILES)
      printTable(
        ['path', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p50 vs A', 'p99 vs A'],
        [
          r('posted to A (baseline): top-up → first datagram', base),
          r('posted to A: API answer', samples.a.answerMs),
          r('posted to A: API answer → first datagram', gap(samples.a)),
          r('posted to B: top-up → first datagram', samples.b.restoreMs),
          r('posted to B: API answer', samples.b.answerMs),
          r('posted to B: API answer → first datagram', gap(samples.b)),
        ],
      )
      const p99 = percentile(samples.b.restoreMs, 99)
      const paired = samples.b.restoreMs.map((ms, i) => ms - base[i]!)
      console.log(
        `\ngoal p99 ≤ ${GOAL_P99_MS} ms for a top-up posted to B: ${formatNumber(p99)} ms, ` +
          `${p99 <= GOAL_P99_MS ? 'met' : 'MISSED'}; B minus A in the same round: median ` +
          `${formatNumber(median(paired))} ms; first top-up after start (not in the table): A ` +
          `${formatNumber(first.a.restoreMs[0]!)} ms, B ${formatNumber(first.b.restoreMs[0]!)} ms; load average ` +
          `${loadBefore} → ${load()}; agent disconnects during the rounds: ${disconnects.text}`,
      )
      console.log(
        `warnings logged during the rounds: agent ${warnings(agent.output().slice(logged.agent))}, ` +
          `A ${warnings(a.output().slice(logged.a))}, B ${warnings(b.output().slice(logged.b))}`,
      )
      console.log(
        '\nBoth controllers are real child processes on one throw-away PostgreSQL database; the agent is ' +
          'connected to A only. Each round bursts past the allowance, waits until the agent has blocked the ' +
          'address, waits a random part of the poll interval, then posts the top-up to A or to B (both in ' +
          'every round, in random order), timed to the first probe datagram at the customer. One top-up to ' +
          'each controller before the rounds is left out: the first request after a start loads code and ' +
          'opens database connections.',
      )
      console.error(`  multi-controller restore: ${formatNumber((performance.now() - started) / 1000)} s`)
    } finally {
      for (const stop of stops) await stop().catch(() => {})
    }
  })
}
