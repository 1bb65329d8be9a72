/**
 * Store write cost at N subscribers: one committed top-up (a write-ahead log append) against a bare
 * append + fsync of the same bytes, and one snapshot of the whole document, split into serialising
 * and I/O, against a bare write + fsync of the same bytes; baselines measured in the same run.
 */
import { Child } from './child.js'
import type { BenchConfig } from './config.js'
import type { WriteCostCommand, WriteCostReply, WriteCostRow } from './messages.js'
import { withScratchDir } from './scratch.js'
import { formatNumber, printTable, ratio } from './table.js'

function measure(subscribers: number, config: BenchConfig): Promise<WriteCostRow> {
  return withScratchDir(config.tmpRoot, async (dataDir) => {
    const child = new Child<WriteCostCommand, WriteCostReply>(
      new URL('./write-cost-child.ts', import.meta.url),
      `write cost ${subscribers}`,
    )
    try {
      const reply = await child.request({
        type: 'measure',
        subscribers,
        dataDir,
        writes: config.writes,
        snapshots: config.snapshots,
      })
      if (reply.type === 'failed') throw new Error(`write-cost child failed: ${reply.message}`)
      await child.stop()
      return reply.row
    } finally {
      await child.kill()
    }
  })
}

export async function storeWriteCost(config: BenchConfig): Promise<void> {
  console.log(
    `\n## Store write cost (medians of ${config.writes} single top-up transactions and ` +
      `${config.snapshots} snapshots per store size)\n`,
  )
  const rows: WriteCostRow[] = []
  for (const n of config.subscriberCounts) rows.push(await measure(n, config))
  const subscribers = (r: WriteCostRow) => r.subscribers.toLocaleString('en-US')
  const docMB = (r: WriteCostRow) => formatNumber(r.documentBytes / 1e6)

  console.log('One committed top-up:\n')
  printTable(
    [
      'subscribers',
      'doc MB',
      'transact ms',
      'WAL bytes',
      'append ms',
      'bare append+fsync ms',
      'append vs bare',
      'transact vs bare',
    ],
    rows.map((r) => [
      subscribers(r),
      docMB(r),
      formatNumber(r.transactMs, 2),
      formatNumber(r.walBytes, 0),
      formatNumber(r.appendMs, 2),
      formatNumber(r.bareAppendMs, 2),
      ratio(r.appendMs, r.bareAppendMs),
      ratio(r.transactMs, r.bareAppendMs),
    ]),
  )

  console.log('\nOne snapshot of the whole document:\n')
  printTable(
    ['subscribers', 'doc MB', 'snapshot ms', 'bare write+fsync ms', 'snapshot vs bare', 'snapshot vs top-up'],
    rows.map((r) => [
      subscribers(r),
      docMB(r),
      formatNumber(r.snapshotMs),
      formatNumber(r.bareWriteMs),
      ratio(r.snapshotMs, r.bareWriteMs),
      ratio(r.snapshotMs, r.transactMs),
    ]),
  )
  console.log(
    '\ntransact = whole store.transact(createTopUp) until durable; WAL bytes = its log line; append = ' +
      'open + write + fsync + close of the log; bare append = the same of as many bytes to a sibling file. ' +
      'A snapshot is taken when the log outgrows the last one (min 4 MiB), in the background, and on ' +
      'close; here by close(). snapshot = the document serialised in slices of a few ms between turns of ' +
      'the event loop, each chunk written as it comes, then fsync + link .prev + rename + dir fsync (what ' +
      'it costs other requests: bench/snapshot-stall.ts); bare write = open + write + fsync + close of ' +
      'the same bytes.',
  )
}
