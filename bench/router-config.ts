/** Knobs of the router benchmarks (namespace router, nft, agent), read once from the environment. */
import { tmpdir } from 'node:os'
import { positiveInt, positiveInts } from './config.js'

/** Fleet subscribers get addresses in one /16, so at most this many. */
export const MAX_FLEET = 65_534

export interface RouterBenchConfig {
  /** Top-ups timed from the API request to the first probe datagram (and as many bare restores). */
  topUps: number
  /** Other subscribers on the same agent in further restore scenarios; none skips them. */
  restoreBackground: number[]
  /** Top-ups timed in each of those scenarios. */
  restoreBackgroundTopUps: number
  /** Agent fleet sizes for the poll cost and memory benchmarks. */
  agentSubscriberCounts: number[]
  /** Timed polls (and bare listings) per fleet size. */
  pollRounds: number
  /** How long the agent process polls before its memory is read. */
  rssSettleSeconds: number
  tmpRoot: string
}

export function readRouterConfig(): RouterBenchConfig {
  const agentSubscriberCounts = positiveInts('BENCH_AGENT_SUBSCRIBERS', [1_000, 10_000])
  // "0" turns the second restore scenario off.
  const restoreBackground =
    process.env.BENCH_RESTORE_BACKGROUND === '0' ? [] : positiveInts('BENCH_RESTORE_BACKGROUND', [1_000])
  for (const n of [...agentSubscriberCounts, ...restoreBackground]) {
    if (n > MAX_FLEET) throw new Error(`agent fleets are limited to ${MAX_FLEET} subscribers (one /16)`)
  }
  return {
    topUps: positiveInt('BENCH_TOPUPS', 100),
    restoreBackground,
    restoreBackgroundTopUps: positiveInt('BENCH_TOPUPS_BACKGROUND', 30),
    agentSubscriberCounts,
    pollRounds: positiveInt('BENCH_POLLS', 10),
    rssSettleSeconds: positiveInt('BENCH_RSS_SETTLE_SECONDS', 5),
    tmpRoot: process.env.BENCH_TMPDIR || tmpdir(),
  }
}
