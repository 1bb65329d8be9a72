/**
 * An agent's outage and its drain: 500 subscribers (simulated router, simulated clock) polled every
 * second for 5 minutes while the controller is unreachable (a TCP proxy holding no connection), then
 * the link comes back to a real controller process. Prints the journal's peak (entries and bytes),
 * the drain time (connected → everything acked) and the slowest poll during the drain, against a
 * baseline from the same run: one ordinary online poll cycle (poll → batch → ack) of the same fleet.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent } from '../agent/src/agent.js'
import { loadAgentConfig } from '../agent/src/config.js'
import { createSimulatedDriver } from '../agent/src/drivers/simulated.js'
import { startTcpProxy } from '../test/src/support/tcp-proxy.js'
import type { BenchConfig } from './config.js'
import { fleetAddress, seedFleet, startFleetController, wsUrl } from './fleet.js'
import { withScratchDir } from './scratch.js'
import { sleep } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const SUBSCRIBERS = 500
const OFFLINE_POLLS = 300
const POLL_MS = 1000
/** A drain still going after this long is reported unfinished (`OUTAGE_DRAIN_CAP_S`). */
const DRAIN_CAP_MS = Number(process.env.OUTAGE_DRAIN_CAP_S ?? 600) * 1000

export async function outageDrain(config: Pick<BenchConfig, 'tmpRoot'>): Promise<void> {
  console.log(
    `\n## Outage and drain: ${SUBSCRIBERS} subscribers, ${OFFLINE_POLLS} polls at ${POLL_MS / 1000} s offline (simulated clock)`,
  )
  await withScratchDir(config.tmpRoot, async (dir) => {
    const addresses = Array.from({ length: SUBSCRIBERS }, (_, i) => fleetAddress(i))
    const fleet = await seedFleet(dir, { capBytes: 1e15, onCap: 'block' }, addresses)
    const controller = await startFleetController(dir)
    const proxy = await startTcpProxy(Number(new URL(controller.baseUrl).port))
    let clockMs = Date.now()
    const driver = createSimulatedDriver({ bytesPerSecond: 50_000, now: () => clockMs })
    const stateDir = join(dir, 'agent-state')
    const agentConfig = await loadAgentConfig({
      controller: wsUrl(`http://127.0.0.1:${proxy.port}`),
      token: fleet.agentToken,
      stateDir,
      // The agent's own polls (a minute apart) see the simulated clock standing still: no usage.
      pollIntervalMs: 60_000,
      fastPollIntervalMs: 60_000,
      router: { kind: 'simulated' },
    })
    const agent = await Agent.start(agentConfig, driver, { now: () => clockMs })
    try {
      await until(
        () => Object.keys(agent.snapshot().books).length === SUBSCRIBERS && agent.snapshot().connected,
      )
      const poll = async () => {
        clockMs += POLL_MS
        const started = performance.now()
        await agent.pollNow()
        return performance.now() - started
      }
      // Baseline: online cycles, each poll's batch acked before the next.
      await poll()
      await until(() => agent.snapshot().unacked === 0)
      const onlineStarted = performance.now()
      for (let i = 0; i < 5; i++) {
        await poll()
        await until(() => agent.snapshot().unacked === 0)
      }
      const onlineCycleMs = (performance.now() - onlineStarted) / 5

      proxy.cut()
      proxy.blackhole()
      await until(() => !agent.snapshot().connected)
      let peakEntries = 0
      let peakBytes = 0
      const offlineStarted = performance.now()
      for (let i = 0; i < OFFLINE_POLLS; i++) {
        await poll()
        peakEntries = Math.max(peakEntries, agent.snapshot().unacked)
        peakBytes = Math.max(peakBytes, await fileBytes(join(stateDir, 'journal.log')))
      }
      const offlinePollMs = (performance.now() - offlineStarted) / OFFLINE_POLLS

      proxy.pass()
      await until(() => agent.snapshot().connected, 120_000)
      const drainStarted = performance.now()
      // Done when everything journalled before the reconnect is acked (polls add more meanwhile).
      const target = agent.snapshot().journal?.lastSeq ?? agent.snapshot().appliedSeq
      const isDrained = () => agent.snapshot().ackedSeq >= target
      let slowestPollMs = 0
      let polls = 0
      while (!isDrained() && performance.now() - drainStarted < DRAIN_CAP_MS) {
        // Polls go on during the drain, each one simulated second, at most 5 per real second.
        const pollMs = await poll()
        slowestPollMs = Math.max(slowestPollMs, pollMs)
        polls++
        peakBytes = Math.max(peakBytes, await fileBytes(join(stateDir, 'journal.log')))
        await until(isDrained, Math.max(0, 200 - pollMs)).catch(() => {})
      }
      const drainMs = performance.now() - drainStarted
      const left = isDrained() ? 0 : target - agent.snapshot().ackedSeq
      const drained =
        left === 0
          ? `${formatNumber(drainMs)} ms`
          : `unfinished after ${formatNumber(drainMs / 1000)} s, ${left} seqs short of the reconnect`
      printTable(
        ['what', 'value', 'vs online poll cycle'],
        [
          [
            'online poll cycle (baseline)',
            `${formatNumber(onlineCycleMs)} ms`,
            ratio(onlineCycleMs, onlineCycleMs),
          ],
          ['poll while offline', `${formatNumber(offlinePollMs)} ms`, ratio(offlinePollMs, onlineCycleMs)],
          ['journal peak', `${peakEntries} entries, ${formatNumber(peakBytes / 1e6, 2)} MB`, ''],
          ['drain (connected → all acked)', drained, ratio(drainMs, onlineCycleMs)],
          [
            `slowest of ${polls} polls during the drain`,
            `${formatNumber(slowestPollMs)} ms`,
            ratio(slowestPollMs, onlineCycleMs),
          ],
        ],
      )
    } finally {
      await agent.stop()
      await proxy.close()
      await controller.stop()
    }
  })
}

async function fileBytes(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  )
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error('outage bench: timed out waiting')
    await sleep(5)
  }
}
