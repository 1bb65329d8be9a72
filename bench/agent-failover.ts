/**
 * How long an agent is without a controller when the one it reports to dies, with the link's real
 * timings (backoff from 0.5 s): from the kill until usage counted after it is acked. Baseline from
 * the same run: one controller, restarted on its port the moment it died (the best a single
 * controller can do). Against it: two controllers, the second up all along. In-process controllers
 * (agent/src/testing-booking-controllers.ts) on a shared ledger, simulated router and clock.
 */
import { join } from 'node:path'
import type { SubscriberLimit } from '@capd/protocol'
import { agentToken } from '@capd/protocol'
import { Agent } from '../agent/src/agent.js'
import { loadAgentConfig } from '../agent/src/config.js'
import { createSimulatedDriver } from '../agent/src/drivers/simulated.js'
import {
  type BookingController,
  bookingController,
  Ledger,
} from '../agent/src/testing-booking-controllers.js'
import { withScratchDir } from './scratch.js'
import { median, percentile, sleep } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const TRIALS = 12
const DAY = 86_400_000

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('agent-failover bench: stuck')
    await sleep(2)
  }
}

/** Milliseconds from each kill until a poll made after it is acked. */
async function outages(dir: string, names: string[], restartAtOnce: boolean): Promise<number[]> {
  const startMs = Date.now()
  const limits: SubscriberLimit[] = Array.from({ length: 20 }, (_, i) => ({
    subscriberId: `sub_${i}`,
    address: `10.0.0.${i + 1}`,
    periodStart: new Date(startMs - DAY).toISOString(),
    periodEnd: new Date(startMs + 20 * DAY).toISOString(),
    limitBytes: 1e15,
    usedBytes: 0,
    limitVersion: 1,
    onCap: 'block',
  }))
  const ledger = new Ledger()
  const controllers: BookingController[] = []
  for (const name of names) controllers.push(await bookingController(name, ledger, () => limits))
  let clockMs = startMs
  const agent = await Agent.start(
    await loadAgentConfig({
      controllers: controllers.map((c) => c.url),
      token: agentToken('agt_bench', 'bench-secret-0123456789abcdef'),
      stateDir: join(dir, names.join('')),
      pollIntervalMs: 60_000,
      fastPollIntervalMs: 60_000,
      router: { kind: 'simulated' },
    }),
    createSimulatedDriver({ bytesPerSecond: 100_000, now: () => clockMs }),
    { now: () => clockMs },
  )
  const drained = () => {
    const s = agent.snapshot()
    return s.connected && s.unacked === 0 && s.ackedSeq === s.journal.lastSeq
  }
  const times: number[] = []
  try {
    await until(() => Object.keys(agent.snapshot().books).length === limits.length)
    for (let i = 0; i < TRIALS; i++) {
      clockMs += 1000
      await agent.pollNow()
      await until(drained)
      // Let the connection count as proven (an ack came): each trial starts from a working link.
      await sleep(50)
      const current = controllers.find((c) => c.url === agent.metricsView().controllerUrl)!
      const started = performance.now()
      await current.kill()
      if (restartAtOnce) await current.start()
      else for (const c of controllers) await c.start()
      clockMs += 1000
      await agent.pollNow()
      await until(drained)
      times.push(performance.now() - started)
    }
  } finally {
    await agent.stop()
    for (const c of controllers) await c.kill()
  }
  return times
}

export async function agentFailover(config: { tmpRoot: string }): Promise<void> {
  console.log(`\n## Agent failover: time without a controller after it dies (${TRIALS} kills each)`)
  await withScratchDir(config.tmpRoot, async (dir) => {
    const single = await outages(dir, ['A'], true)
    const pair = await outages(dir, ['A', 'B'], false)
    const row = (what: string, times: number[]) => [
      what,
      formatNumber(median(times), 0),
      formatNumber(percentile(times, 90), 0),
      ratio(median(times), median(single)),
    ]
    printTable(
      ['setup', 'median ms', 'p90 ms', 'median vs baseline'],
      [
        row('one controller, restarted at once (baseline)', single),
        row('two controllers, failover to the other', pair),
      ],
    )
  })
}

if (import.meta.url === `file://${process.argv[1]}`)
  await agentFailover({ tmpRoot: process.env.TMPDIR ?? '/tmp' })
