/**
 * What a snapshot of the whole store costs the requests around it, at 10k, 50k and 100k subscribers
 * (BENCH_STALL_SUBSCRIBERS): event-loop delay and the latency of peeks and commits under a steady
 * load while one background snapshot is written, against the same load with no snapshot and with
 * the old synchronous snapshot, all in the same run and process. `tsx bench/snapshot-stall.ts`
 * runs it alone; `pnpm bench` runs it with the rest.
 */
import { pathToFileURL } from 'node:url'
import { Child } from './child.js'
import { type BenchConfig, positiveInts, readConfig } from './config.js'
import type { SnapshotStallCommand, SnapshotStallReply, SnapshotStallRow, StallWindow } from './messages.js'
import { withScratchDir } from './scratch.js'
import { formatNumber, printTable, ratio } from './table.js'

function measure(subscribers: number, tmpRoot: string): Promise<SnapshotStallRow> {
  return withScratchDir(tmpRoot, async (dataDir) => {
    const child = new Child<SnapshotStallCommand, SnapshotStallReply>(
      new URL('./snapshot-stall-child.ts', import.meta.url),
      `snapshot stall ${subscribers}`,
    )
    try {
      const reply = await child.request({ type: 'measure', subscribers, dataDir })
      if (reply.type === 'failed') throw new Error(`snapshot-stall child failed: ${reply.message}`)
      await child.stop()
      return reply.row
    } finally {
      await child.kill()
    }
  })
}

export async function snapshotStall(config: BenchConfig): Promise<void> {
  const sizes = positiveInts('BENCH_STALL_SUBSCRIBERS', [10_000, 50_000, 100_000])
  console.log(
    '\n## Snapshot stall (a store.peek every 2 ms and a top-up every 20 ms, open-loop, ' +
      'while the store takes a snapshot)\n',
  )
  const rows: SnapshotStallRow[] = []
  for (const n of sizes) rows.push(await measure(n, config.tmpRoot))

  const line = (r: SnapshotStallRow, mode: string, w: StallWindow) => [
    r.subscribers.toLocaleString('en-US'),
    mode,
    formatNumber(w.ms, 0),
    formatNumber(w.loopP99Ms),
    formatNumber(w.loopMaxMs),
    ratio(w.loopMaxMs, r.baseline.loopMaxMs),
    formatNumber(w.peekP99Ms),
    formatNumber(w.peekMaxMs),
    formatNumber(w.commitP99Ms),
    formatNumber(w.commitMaxMs),
    w.commits,
  ]
  printTable(
    [
      'subscribers',
      'snapshot',
      'window ms',
      'loop p99 ms',
      'loop max ms',
      'max vs none',
      'peek p99 ms',
      'peek max ms',
      'commit p99 ms',
      'commit max ms',
      'commits',
    ],
    rows.flatMap((r) => [
      line(r, 'none', r.baseline),
      line(r, 'synchronous (old)', r.synchronous),
      line(r, 'background', r.background),
    ]),
  )
  console.log('\nWhat the synchronous path holds the event loop for, and what a worker thread would:\n')
  printTable(
    ['subscribers', 'doc MB', 'JSON.stringify ms', 'structuredClone ms'],
    rows.map((r) => [
      r.subscribers.toLocaleString('en-US'),
      formatNumber(r.documentBytes / 1e6),
      formatNumber(r.stringifyMs, 0),
      formatNumber(r.cloneMs, 0),
    ]),
  )
  console.log(
    '\nnone = the load alone for 2 s; synchronous = JSON.stringify of the whole document and its write ' +
      '(tmp + fsync + rename + dir fsync) under the store lock, as the store did before; background = ' +
      'from the commit that starts a snapshot until it is renamed into place and the log cut. loop = ' +
      'event-loop delay (monitorEventLoopDelay, 1 ms resolution); peek/commit latency counts from when ' +
      'the call was due, so time spent waiting for a blocked loop is in it. structuredClone = the copy ' +
      'a worker_threads snapshot would have to make on the event loop before handing the document over.',
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await snapshotStall(readConfig())
