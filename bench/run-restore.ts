/**
 * `pnpm exec tsx bench/run-restore.ts` (root): only the top-up restore latency and the agent poll cost,
 * the two figures of the nftables layout; the knobs are those of router-config.ts.
 */
import { cpus, loadavg } from 'node:os'
import { agentPollCost } from './agent-poll-cost.js'
import { readRouterConfig } from './router-config.js'
import { topUpRestoreLatency } from './topup-restore-latency.js'

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

const config = readRouterConfig()
console.log(
  `capd restore benchmarks: Node ${process.version}, ${cpus().length} CPUs, load average ` +
    `${loadavg()[0]!.toFixed(1)} (the ratios come from the same run)`,
)
if (process.env.BENCH_SKIP_RESTORE !== '1') await topUpRestoreLatency(config)
if (process.env.BENCH_SKIP_POLL !== '1') await agentPollCost(config)
