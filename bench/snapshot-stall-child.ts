/**
 * Child process: seeds a store of N subscribers with history (allowance and daily usage on each,
 * a top-up, its invoice, a ledger entry, two days of hourly usage), then runs a steady load — a
 * store.peek every 2 ms and a top-up commit every 20 ms, both open-loop, so each is timed from when
 * it was due and a stalled event loop shows in its latency — over three windows: no snapshot
 * (the baseline), the old synchronous snapshot (JSON.stringify of the whole document and its
 * durable write under the store lock, as capd did before background snapshots), and one
 * background snapshot. Fresh heap per store size.
 */
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { createTopUp } from '../controller/src/domain/topups.js'
import type { Data } from '../controller/src/store/data.js'
import type { DocumentStore } from '../controller/src/store/document-store.js'
import { DurableJSONFile } from '../controller/src/store/durable-json-file.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import type { Store } from '../controller/src/store/store.js'
import type { SnapshotStallCommand, SnapshotStallReply, StallWindow } from './messages.js'
import { seedSubscribers } from './seed.js'
import { percentile, sleep } from './stats.js'

const PEEK_EVERY_MS = 2
const COMMIT_EVERY_MS = 20
const BASELINE_MS = 2_000

const send = (reply: SnapshotStallReply) => process.send?.(reply)
const env: DomainEnv = {
  clock: systemClock,
  timeZone: 'UTC',
  currency: 'USD',
  idempotencyTtlMs: 48 * 3600_000,
}
const topUp = { bytes: 1_000_000_000, price: { amount: 500, currency: 'USD' }, chargeTo: 'invoice' } as const

/** Fires `call` every `periodMs` on a fixed schedule; each latency runs from when the call was due. */
function openLoop(periodMs: number, call: () => Promise<unknown>) {
  const latencies: number[] = []
  const inFlight = new Set<Promise<unknown>>()
  const started = performance.now()
  let fired = 0
  const timer = setInterval(() => {
    const now = performance.now()
    for (let due = started + fired * periodMs; due <= now; due = started + fired * periodMs) {
      fired++
      const done = call().then(() => latencies.push(performance.now() - due))
      inFlight.add(done)
      void done.finally(() => inFlight.delete(done))
    }
  }, periodMs)
  return async () => {
    clearInterval(timer)
    await Promise.all(inFlight)
    return latencies
  }
}

/** Runs the load and the event-loop monitor for as long as `during` takes (and 50 ms before). */
async function window(store: Store, ids: string[], during: () => Promise<void>): Promise<StallWindow> {
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const stopPeeks = openLoop(PEEK_EVERY_MS, () => store.peek((tx) => tx.subscribers.get(pick())))
  const stopCommits = openLoop(COMMIT_EVERY_MS, () =>
    store.transact((tx) => createTopUp(tx, env, 'system', 'operator', pick(), topUp)),
  )
  // The monitor records the gap between its ticks: a stall before its first tick would go unseen.
  await sleep(50)
  const started = performance.now()
  await during()
  const ms = performance.now() - started
  const [peeks, commits] = [await stopPeeks(), await stopCommits()]
  loop.disable()
  return {
    ms,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    peekP99Ms: percentile(peeks, 99),
    peekMaxMs: Math.max(...peeks),
    commitP99Ms: percentile(commits, 99),
    commitMaxMs: Math.max(...commits),
    commits: commits.length,
  }
}

/** Two days of hourly usage, a month of daily usage, and a drawn allowance for every subscriber. */
async function addHistory(store: Store, ids: string[], nowMs: number): Promise<void> {
  const hours = () => Array.from({ length: 24 }, () => Math.floor(Math.random() * 5e8))
  await store.transact(async (tx) => {
    for (const id of ids) {
      const s = (await tx.subscribers.get(id))!
      const bytes = Array.from({ length: 30 }, () => Math.floor(Math.random() * 5e9))
      await tx.subscribers.update({
        ...s,
        dailyUsage: { periodStartMs: s.usagePeriodStartMs, bytes },
        allowance: {
          periodStartMs: s.usagePeriodStartMs,
          drawn: { plan: 3e9 },
          rollover: [],
          overBytes: 0,
          forgivenBytes: 0,
          freeBytes: 0,
        },
      })
      await tx.ledger.insert({
        id: `led_${id}`,
        subscriberId: id,
        atMs: nowMs,
        kind: 'topup_charge',
        amount: { amount: -500, currency: 'USD' },
        balanceAfter: { amount: -500, currency: 'USD' },
        ref: `top_${id}`,
      })
      for (const day of ['2026-11-29', '2026-11-30']) {
        const [hourDown, hourUp] = [hours(), hours()]
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
        await tx.usageDays.insert({
          id: `${id}/${day}`,
          subscriberId: id,
          day,
          down: sum(hourDown),
          up: sum(hourUp),
          hourDown,
          hourUp,
        })
      }
    }
  })
}

async function measure({ subscribers, dataDir }: SnapshotStallCommand) {
  const log = (line: string) => console.error(line)
  let store: DocumentStore = await openLowdbStore(dataDir, log)
  const ids = await seedSubscribers(store, subscribers, env.clock.now())
  await addHistory(store, ids, env.clock.now())
  await store.close()
  // As a restarted controller: the document from the snapshot, an empty log.
  store = await openLowdbStore(dataDir, log)
  const opened = store
  // Reached into for the old path only: JSON.stringify of the live document under the lock.
  const data = (store as unknown as { data: Data }).data
  await window(store, ids, () => sleep(500)) // warm-up: the JIT, the page cache

  const baseline = await window(store, ids, () => sleep(BASELINE_MS))
  const stringifyStarted = performance.now()
  const documentBytes = Buffer.byteLength(JSON.stringify(data))
  const stringifyMs = performance.now() - stringifyStarted
  const cloneStarted = performance.now()
  structuredClone(data)
  const cloneMs = performance.now() - cloneStarted
  const file = new DurableJSONFile<Data>(join(dataDir, 'old-path.json'))
  const synchronous = await window(store, ids, () =>
    opened.peek(async () => {
      await file.writeText(JSON.stringify(data))
    }),
  )
  await store.close()

  // Reopened with a threshold any commit passes: the second commit after opening starts a snapshot.
  store = await openLowdbStore(dataDir, log, { snapshotAfterLogBytes: 1 })
  const reopened = store
  const snapshotWritten = new Promise<void>((resolve) => {
    reopened.onWrite((write) => {
      if (write.kind === 'snapshot') resolve()
    })
  })
  // No load yet (a commit would start the snapshot): the collector clears the previous store first.
  await sleep(1_000)
  const background = await window(store, ids, () => snapshotWritten)
  await store.close()
  return { subscribers, documentBytes, stringifyMs, cloneMs, baseline, synchronous, background }
}

process.once('message', (command: SnapshotStallCommand) => {
  measure(command).then(
    (row) => send({ type: 'measured', row }),
    (err: Error) => send({ type: 'failed', message: err.stack ?? err.message }),
  )
})
process.on('disconnect', () => process.exit(0))
