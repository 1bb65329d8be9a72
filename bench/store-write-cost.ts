/**
 * Store write cost: what one durable write of the whole document costs at N subscribers, split into
 * serialising and I/O, against a bare write + fsync of the same bytes measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Child } from './child.js'
import type { BenchConfig } from './config.js'
import type { WriteCostCommand, WriteCostReply, WriteCostRow } from './messages.js'
import { formatNumber, printTable, ratio } from './table.js'

async function measure(subscribers: number, config: BenchConfig): Promise<WriteCostRow> {
  const dataDir = await mkdtemp(join(config.tmpRoot, 'capd-bench-'))
  const child = new Child<WriteCostCommand, WriteCostReply>(
    new URL('./write-cost-child.ts', import.meta.url),
    `write cost ${subscribers}`,
  )
  try {
    const reply = await child.request({ type: 'measure', subscribers, dataDir, writes: config.writes })
    if (reply.type === 'failed') throw new Error(`write-cost child failed: ${reply.message}`)
    await child.stop()
    return reply.row
  } finally {
    child.kill()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export async function storeWriteCost(config: BenchConfig): Promise<void> {
  console.log(
    `\n## Store write cost (median of ${config.writes} single-top-up transactions, each one durable write)\n`,
  )
  const rows: WriteCostRow[] = []
  for (const n of config.subscriberCounts) rows.push(await measure(n, config))
  printTable(
    [
      'subscribers',
      'doc MB',
      'transact ms',
      'stringify ms',
      'encode ms',
      'io ms',
      'bare write+fsync ms',
      'io vs bare',
      'transact vs bare',
    ],
    rows.map((r) => [
      r.subscribers.toLocaleString('en-US'),
      formatNumber(r.documentBytes / 1e6),
      formatNumber(r.transactMs),
      formatNumber(r.stringifyMs),
      formatNumber(r.encodeMs),
      formatNumber(r.ioMs),
      formatNumber(r.bareWriteMs),
      ratio(r.ioMs, r.bareWriteMs),
      ratio(r.transactMs, r.bareWriteMs),
    ]),
  )
  console.log(
    '\ntransact = whole store.transact() of one top-up, until durable; stringify = JSON.stringify of the ' +
      'same document (the store does it under its lock, blocking the event loop); encode = ' +
      'lastWriteStats.stringifyMs (only the UTF-8 encoding when the store passes text); io = tmp write + ' +
      'fsync + link .prev + rename + dir fsync; bare = open + write + fsync + close of the same bytes.',
  )
}
