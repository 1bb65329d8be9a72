/**
 * The benchmarks that need a real router: network namespaces, nft and the agent. They need root;
 * without it (or with BENCH_ROUTER=0) each says so and is skipped, so `pnpm bench` still runs the rest.
 */
import { netnsUnavailableReason } from '../test/src/support/netns-router.js'
import { agentPollCost } from './agent-poll-cost.js'
import { agentRss } from './agent-rss.js'
import type { RouterBenchConfig } from './router-config.js'
import { topUpRestoreLatency } from './topup-restore-latency.js'

const TITLES = ['Top-up → access restored', 'Agent poll cost', 'Agent memory (RSS)']

export async function routerBenchmarks(config: RouterBenchConfig): Promise<void> {
  const unavailable =
    process.env.BENCH_ROUTER === '0'
      ? 'BENCH_ROUTER=0'
      : process.getuid?.() === 0
        ? await netnsUnavailableReason()
        : 'needs root (network namespaces and nft)'
  if (unavailable) {
    for (const title of TITLES) console.log(`\n## ${title}\n\nskipped: ${unavailable}`)
    return
  }
  await topUpRestoreLatency(config)
  await agentPollCost(config)
  await agentRss(config)
}
