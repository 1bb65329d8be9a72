/**
 * Top-up → access restored with two controllers on one PostgreSQL database: the nftables agent on
 * the namespace router is connected to A; a top-up posted to B reaches it through B's commit,
 * NOTIFY to A and A's push. Baseline, interleaved round by round in random order: the same top-up
 * posted to A itself. Needs root (namespaces) and a PostgreSQL server (CAPD_TEST_DATABASE_URL).
 */
import { randomBytes } from 'node:crypto'
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
  TOPUP_BYTES,
  timeRestore,
  topUp,
  waitForCounter,
} from './restore-rounds.js'
import type { RouterBenchConfig } from './router-config.js'
import { withScratchDir } from './scratch.js'
import { percentile, sleep } from './stats.js'
import { formatNumber, printTable } from './table.js'
import { startUdpProbe } from './udp-probe.js'

const GOAL_P99_MS = 100

export async function multiControllerTopUp(config: RouterBenchConfig): Promise<void> {
  console.log(
    `\n## Two controllers on one PostgreSQL: top-up posted to B → access restored at a customer of A's ` +
      `agent (probe datagram every 1 ms; agent polls every ${POLL_INTERVAL_MS} ms; cap ${CAP_BYTES / 1000} kB, ` +
      `top-ups of ${TOPUP_BYTES / 1000} kB)\n`,
  )
  const unavailable = (await netnsUnavailableReason()) ?? (await postgresUnavailable())
  if (unavailable) {
    console.log(`skipped: ${unavailable}`)
    return
  }
  const rounds = config.topUps
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
      const viaA = apiClient(a.baseUrl, ADMIN_TOKEN)
      const viaB = apiClient(b.baseUrl, ADMIN_TOKEN)
      const samples = { a: noSamples(), b: noSamples() }
      const keyPrefix = randomBytes(6).toString('hex')
      const disconnectsBefore = agent.disconnects()
      for (let i = 0; i < rounds; i++) {
        // Both paths in each pair, in random order, so both see the same machine.
        const order = Math.random() < 0.5 ? (['a', 'b'] as const) : (['b', 'a'] as const)
        for (const side of order) {
          await driveToBlocked(net, probe, customer.ipv4)
          await sleep(Math.random() * POLL_INTERVAL_MS)
          const api = side === 'a' ? viaA : viaB
          await timeRestore(
            probe,
            `${side}${i}`,
            () => topUp(api, subscriberId, `${keyPrefix}-${side}-${i}`),
            samples[side],
          )
        }
      }
      const disconnects = newDisconnects(disconnectsBefore, agent.disconnects())
      console.error(`  multi-controller restore: ${formatNumber((performance.now() - started) / 1000)} s`)
      const base = samples.a.restoreMs
      const gap = (s: typeof samples.a) => s.restoreMs.map((ms, i) => ms - s.answerMs[i]!)
      printTable(
        ['path', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 vs A', 'p99 vs A'],
        [
          row('posted to A (baseline): top-up → first datagram', base, base),
          row('posted to A: API answer', samples.a.answerMs, base),
          row('posted to A: API answer → first datagram', gap(samples.a), base),
          row('posted to B: top-up → first datagram', samples.b.restoreMs, base),
          row('posted to B: API answer', samples.b.answerMs, base),
          row('posted to B: API answer → first datagram', gap(samples.b), base),
        ],
      )
      const p99 = percentile(samples.b.restoreMs, 99)
      console.log(
        `\ngoal p99 ≤ ${GOAL_P99_MS} ms for a top-up posted to B: ${formatNumber(p99)} ms, ` +
          `${p99 <= GOAL_P99_MS ? 'met' : 'MISSED'}; agent disconnects during the rounds: ${disconnects.text}`,
      )
      console.log(
        '\nBoth controllers are real child processes on one throw-away PostgreSQL database; the agent is ' +
          'connected to A only. Each round bursts past the allowance, waits until the agent has blocked the ' +
          'address, waits a random part of the poll interval, then posts the top-up to A or to B (both in ' +
          'every round, in random order), timed to the first probe datagram at the customer.',
      )
    } finally {
      for (const stop of stops) await stop().catch(() => {})
    }
  })
}
