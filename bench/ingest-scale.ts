/**
 * Usage ingest at ISP scale (issue 14): 100 agents and 10k / 100k subscribers, on the embedded
 * store (the baseline) and on PostgreSQL in the same run. The agents are simulated in process
 * through the hub's own entry points (AgentHub.accept + AgentSession.receive, what the WebSocket
 * route calls per frame): each says hello, takes its sync, then sends its whole journal each poll
 * (one usage message of one entry per subscriber, at most 1,000), with two messages unacked at
 * most, like an agent that polls again while the last batch waits for its ack. A delta counts
 * once its ack came back, and acks follow the commit: every counted delta is durable. On
 * PostgreSQL an ack follows the batch's journal row, and the books follow the journal: the case
 * also times how long after the last ack every acked entry was booked, and fails unless each was
 * booked exactly once.
 *
 * Each case runs in a child process of its own, so its RSS is the controller's (store, hub, the
 * messages in flight) and nothing left over from the case before. Prints subscriber-deltas/s,
 * event-loop delay p99/max while ingesting (monitorEventLoopDelay, 10 ms resolution), RSS after
 * ingest, and PostgreSQL against embedded.
 *
 * PostgreSQL from CAPD_TEST_DATABASE_URL (default the local one, trust auth); its rows say
 * "skipped" without one. Alone: `pnpm tsx bench/ingest-scale.ts [seconds per case] [sizes…]`
 * (default 15 s, 10000 100000).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { formatNumber, printTable, ratio } from './table.js'

const run = promisify(execFile)

export const AGENTS = 100

export type StoreKind = 'embedded' | 'postgres'

export interface CaseResult {
  store: StoreKind
  subscribers: number
  /** Acked (durable) entries per second. */
  deltasPerSecond: number
  /**
   * From the last ack to every acked entry on the books (PostgreSQL journals a batch and books it
   * after; the embedded store books it before the ack): the backlog the burst left.
   */
  booksSeconds: number
  loopP99Ms: number
  loopMaxMs: number
  rssMb: number
  seedSeconds: number
  /** 100 hellos and their syncs, before the ingest is timed. */
  connectSeconds: number
  /** PostgreSQL serialization failures retried while ingesting (not while connecting). */
  retries: number
  /** Why the case did not run (PostgreSQL unreachable). */
  skipped?: string
}

/** Runs one case in a child process on the same tsx loader. */
async function runCase(store: StoreKind, subscribers: number, seconds: number): Promise<CaseResult> {
  const entry = fileURLToPath(new URL('./ingest-scale-child.ts', import.meta.url))
  const { stdout } = await run(
    process.execPath,
    [...process.execArgv, entry, store, String(subscribers), String(seconds)],
    { maxBuffer: 1 << 20 },
  )
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as CaseResult
}

export async function ingestScale(seconds = 15, sizes: readonly number[] = [10_000, 100_000]): Promise<void> {
  console.log(
    `\n## Usage ingest at scale: ${AGENTS} agents (in process, through the hub's frame handler), ` +
      `${seconds} s per case, deltas counted when acked (durable)`,
  )
  const rows: string[][] = []
  for (const subscribers of sizes) {
    const embedded = await runCase('embedded', subscribers, seconds)
    const pg = await runCase('postgres', subscribers, seconds)
    for (const r of [embedded, pg]) {
      const label = `${formatNumber(subscribers, 0)} ${r.store === 'embedded' ? 'embedded (baseline)' : `PostgreSQL (${r.retries} retries)`}`
      if (r.skipped) {
        rows.push([label, `skipped: ${r.skipped}`, '', '', '', '', '', ''])
        continue
      }
      rows.push([
        label,
        formatNumber(r.deltasPerSecond, 0),
        r === embedded ? '1.00x' : ratio(r.deltasPerSecond, embedded.deltasPerSecond),
        formatNumber(r.booksSeconds, 1),
        formatNumber(r.loopP99Ms, 1),
        formatNumber(r.loopMaxMs, 1),
        formatNumber(r.rssMb, 0),
        `${r.seedSeconds.toFixed(0)} + ${r.connectSeconds.toFixed(0)}`,
      ])
    }
  }
  printTable(
    [
      'subscribers, store',
      'subscriber-deltas/s',
      'vs embedded',
      'books after s',
      'loop p99 ms',
      'loop max ms',
      'RSS MB',
      'seed + hellos s',
    ],
    rows,
  )
  console.log('goals: >= 100,000 deltas/s durable on PostgreSQL; loop p99 <= 50 ms at 100k on both')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [seconds, ...sizes] = process.argv.slice(2).map(Number)
  await ingestScale(seconds || 15, sizes.length > 0 ? sizes : undefined)
}
