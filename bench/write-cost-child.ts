/**
 * Child process: seeds a lowdb store of N subscribers and times (1) single top-up transactions one
 * after another, so each is exactly one log append, interleaved with a bare append + fsync of the
 * same number of bytes to a sibling file, and (2) snapshots of the whole document, taken by closing
 * the store, each followed by a bare write + fsync of the same bytes. Both baselines see the same
 * disk at the same time. Fresh heap per store size.
 */
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { createTopUp } from '../controller/src/domain/topups.js'
import type { DocumentStore } from '../controller/src/store/document-store.js'
import { openLowdbStore, STORE_FILE } from '../controller/src/store/lowdb-store.js'
import type { WriteCostCommand, WriteCostReply, WriteCostRow } from './messages.js'
import { seedSubscribers } from './seed.js'
import { probeStoreWrites } from './write-probe.js'

const WARMUP_TOPUPS = 3

const send = (reply: WriteCostReply) => process.send?.(reply)
const probe = probeStoreWrites()
const env: DomainEnv = {
  clock: systemClock,
  timeZone: 'UTC',
  currency: 'USD',
  idempotencyTtlMs: 48 * 3600_000,
}
const input = { bytes: 1_000_000_000, price: { amount: 500, currency: 'USD' }, chargeTo: 'invoice' } as const

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** What the store's log does per commit, minus the store: open for append, write, fsync, close. */
async function bareFileWrite(path: string, flags: 'a' | 'w', bytes: Buffer): Promise<number> {
  const started = performance.now()
  const file = await open(path, flags, 0o600)
  try {
    await file.writeFile(bytes)
    await file.sync()
  } finally {
    await file.close()
  }
  return performance.now() - started
}

async function measure(command: WriteCostCommand): Promise<WriteCostRow> {
  const { subscribers, dataDir } = command
  let store: DocumentStore | undefined
  try {
    // Seed, then close and reopen: every size starts as a restarted controller does, from a
    // snapshot and an empty log, rather than with the one huge seeding transaction in the log.
    store = await openLowdbStore(dataDir, (line) => console.error(line))
    const ids = await seedSubscribers(store, subscribers, env.clock.now())
    await store.close()
    store = await openLowdbStore(dataDir, (line) => console.error(line))
    const opened = store
    const topUp = () =>
      opened.transact((tx) => {
        const id = ids[Math.floor(Math.random() * ids.length)]!
        return createTopUp(tx, env, 'system', 'operator', id, input)
      })

    // Warm-up: the JIT, and the first append, which creates the log and so also fsyncs the dir.
    const bareWal = join(dataDir, 'bare.wal')
    for (let i = 0; i < WARMUP_TOPUPS; i++) await topUp()
    await bareFileWrite(bareWal, 'a', Buffer.from('\n'))

    const transactMs: number[] = []
    const walBytes: number[] = []
    const appendMs: number[] = []
    const bareAppendMs: number[] = []
    for (let i = 0; i < command.writes; i++) {
      probe.reset()
      const started = performance.now()
      await topUp()
      const elapsedMs = performance.now() - started
      // Once the log outgrows the snapshot (only with a very large BENCH_WRITES), a commit writes
      // a snapshot instead of appending: that is the other table's subject, not this one's.
      if (probe.snapshots.length > 0) continue
      const [append] = probe.appends
      if (!append || probe.appends.length !== 1)
        throw new Error(`expected one log append per top-up, saw ${probe.appends.length}`)
      transactMs.push(elapsedMs)
      walBytes.push(append.bytes)
      appendMs.push(append.ms)
      bareAppendMs.push(await bareFileWrite(bareWal, 'a', Buffer.alloc(append.bytes, 'x')))
    }

    // close() writes a snapshot with nothing pending, so the probe's writeChunks is the snapshot.
    const bareJson = join(dataDir, 'bare.json')
    let document: Buffer | undefined
    const snapshotMs: number[] = []
    const bareWriteMs: number[] = []
    for (let i = 0; i < command.snapshots; i++) {
      if (i > 0) store = await openLowdbStore(dataDir, (line) => console.error(line))
      probe.reset()
      await store.close()
      const [snapshot] = probe.snapshots
      if (!snapshot || probe.snapshots.length !== 1)
        throw new Error(`expected one snapshot on close, saw ${probe.snapshots.length}`)
      snapshotMs.push(snapshot.ms)
      document ??= await readFile(join(dataDir, STORE_FILE))
      bareWriteMs.push(await bareFileWrite(bareJson, 'w', document))
    }

    return {
      subscribers,
      documentBytes: document?.length ?? 0,
      transactMs: median(transactMs),
      walBytes: median(walBytes),
      appendMs: median(appendMs),
      bareAppendMs: median(bareAppendMs),
      snapshotMs: median(snapshotMs),
      bareWriteMs: median(bareWriteMs),
    }
  } finally {
    await store?.close()
  }
}

process.once('message', (command: WriteCostCommand) => {
  measure(command).then(
    (row) => send({ type: 'measured', row }),
    (err: Error) => send({ type: 'failed', message: err.stack ?? err.message }),
  )
})
process.on('disconnect', () => process.exit(0))
