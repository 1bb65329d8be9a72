/**
 * Child process: seeds a lowdb store of N subscribers, then times single-transaction top-ups one
 * after another (so each is exactly one durable write), interleaved with a bare write + fsync of the
 * same bytes to a sibling file, so both see the same disk. Fresh heap per store size.
 */
import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { createTopUp } from '../controller/src/domain/topups.js'
import { openLowdbStore, STORE_FILE } from '../controller/src/store/lowdb-store.js'
import type { WriteCostCommand, WriteCostReply, WriteCostRow } from './messages.js'
import { seedSubscribers } from './seed.js'
import { probeStoreWrites } from './write-probe.js'

const STRINGIFY_RUNS = 5

const send = (reply: WriteCostReply) => process.send?.(reply)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function bareWrite(path: string, bytes: Buffer): Promise<number> {
  const started = performance.now()
  const file = await open(path, 'w', 0o600)
  try {
    await file.writeFile(bytes)
    await file.sync()
  } finally {
    await file.close()
  }
  return performance.now() - started
}

async function measure({ subscribers, dataDir, writes }: WriteCostCommand): Promise<WriteCostRow> {
  const probe = probeStoreWrites()
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: 'UTC',
    currency: 'USD',
    idempotencyTtlMs: 48 * 3600_000,
  }
  const store = await openLowdbStore(dataDir)
  try {
    const ids = await seedSubscribers(store, subscribers, env.clock.now())
    const input = {
      bytes: 1_000_000_000,
      price: { amount: 500, currency: 'USD' },
      chargeTo: 'invoice',
    } as const
    const topUp = () =>
      store.transact((tx) => {
        const id = ids[Math.floor(Math.random() * ids.length)]!
        return createTopUp(tx, env, 'system', 'operator', id, input)
      })
    await topUp() // warm-up: the first write after seeding also creates `.prev`
    const document = await readFile(join(dataDir, STORE_FILE))
    const barePath = join(dataDir, 'bare-write.json')

    const transactMs: number[] = []
    const encodeMs: number[] = []
    const ioMs: number[] = []
    const bareMs: number[] = []
    for (let i = 0; i < writes; i++) {
      probe.reset()
      const started = performance.now()
      await topUp()
      transactMs.push(performance.now() - started)
      const [stats] = probe.writes
      if (probe.writes.length !== 1 || !stats)
        throw new Error(`expected one write, saw ${probe.writes.length}`)
      encodeMs.push(stats.stringifyMs)
      ioMs.push(stats.ioMs)
      bareMs.push(await bareWrite(barePath, document))
    }
    await rm(barePath, { force: true })

    // The store serialises its document inside DocumentStore, out of the probe's sight: time the
    // same document, parsed back from the file, the same way.
    const copy: unknown = JSON.parse(document.toString('utf8'))
    const stringifyMs: number[] = []
    for (let i = 0; i < STRINGIFY_RUNS; i++) {
      const started = performance.now()
      JSON.stringify(copy)
      stringifyMs.push(performance.now() - started)
    }

    return {
      subscribers,
      documentBytes: document.length,
      transactMs: median(transactMs),
      stringifyMs: median(stringifyMs),
      encodeMs: median(encodeMs),
      ioMs: median(ioMs),
      bareWriteMs: median(bareMs),
    }
  } finally {
    await store.close()
  }
}

process.once('message', (command: WriteCostCommand) => {
  measure(command).then(
    (row) => send({ type: 'measured', row }),
    (err: Error) => send({ type: 'failed', message: err.stack ?? err.message }),
  )
})
process.on('disconnect', () => process.exit(0))
