import { appendFile, mkdtemp, rm, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { Journal, type JournalEntry, type NewDelta } from './journal.js'

const random = (seed: number) => seededRandom(seed).next

const SUBSCRIBERS = ['sub_a', 'sub_b', 'sub_c']
const PERIODS = ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']
const quiet = () => {}
const keyOf = (e: { subscriberId: string; periodStart: string }) => `${e.subscriberId} ${e.periodStart}`
const add = (sums: Map<string, number>, key: string, bytes: number) => {
  const sum = (sums.get(key) ?? 0) + bytes
  if (sum === 0) sums.delete(key)
  else sums.set(key, sum)
}

/**
 * Crashes where journal-exactly-once.test.ts has none: inside an append (any prefix of its bytes
 * reaches the file, then maybe NUL fill), between the checkpoint and the rewrite of a compaction,
 * and between taking an ack and checkpointing it. The bytes of a delta whose record did not survive
 * are counted again from the older counter position, as the agent's next poll does.
 */
async function round(seed: number, dir: string) {
  const rnd = random(seed)
  const path = join(dir, `journal-${seed}.log`)
  const options = { compactSlack: 1 + Math.floor(rnd() * 8) }
  const truth = new Map<string, number>()
  /** Bytes a crash took out of the journal before they were applied: the counter still has them. */
  const recount = new Map<string, number>()
  let checkpoint = { ackedSeq: 0, appliedSeq: 0, books: new Map<string, number>() }
  let { journal } = await Journal.open(path, quiet, checkpoint, options)
  let books = new Map<string, number>()
  let appliedSeq = 0
  let ackedSeq = 0
  let sentSeq = 0
  let connected = false
  let toController: JournalEntry[][] = []
  let toAgent: number[] = []
  const controller = { hwm: 0, booked: new Map<string, number>() }
  /** Once the test drains, nothing crashes any more. */
  let calm = false
  const save = () => {
    checkpoint = { ackedSeq, appliedSeq, books: new Map(books) }
  }
  const crash = async (why: string) => {
    connected = false
    toController = []
    toAgent = []
    const reopened = await Journal.open(path, quiet, checkpoint, options)
    journal = reopened.journal
    books = new Map(checkpoint.books)
    appliedSeq = checkpoint.appliedSeq
    for (const record of reopened.records) {
      if (record.n <= appliedSeq) continue
      add(books, keyOf(record), record.down)
      appliedSeq = record.n
    }
    ackedSeq = checkpoint.ackedSeq
    sentSeq = 0
    const expected = new Map(truth)
    for (const [key, bytes] of recount) add(expected, key, -bytes)
    expect(books, `seed ${seed}: books after a crash ${why}`).toEqual(expected)
  }
  /** Returns false when it crashed between the checkpoint and the rewrite. */
  const compact = async () => {
    if (!journal.wantsCompaction) return true
    save()
    if (!calm && rnd() < 0.15) {
      await crash('between the checkpoint and the rewrite')
      return false
    }
    await journal.compact()
    return true
  }
  const send = () => {
    if (!connected) return
    while (toController.length < 3) {
      const batch = journal.pending(Math.max(sentSeq, ackedSeq), 1 + Math.floor(rnd() * 3))
      if (batch.length === 0) return
      const last = batch[batch.length - 1]!.seq
      journal.seal(last)
      toController.push(batch.map((e) => ({ ...e })))
      sentSeq = last
    }
  }
  const deliverUsage = () => {
    const batch = toController.shift()
    if (!batch) return
    const fresh = batch.filter((e) => e.seq > controller.hwm)
    if (fresh.length > 0) {
      expect(fresh[0]!.seq, `seed ${seed}: no seq gap`).toBe(controller.hwm + 1)
      for (const e of fresh) add(controller.booked, keyOf(e), e.down)
      controller.hwm = fresh[fresh.length - 1]!.seq
    }
    toAgent.push(controller.hwm)
  }
  const deliverAck = async () => {
    const seq = toAgent.shift()
    if (seq === undefined || seq <= ackedSeq) return
    ackedSeq = Math.min(seq, journal.seq)
    journal.ack(ackedSeq)
    if (!calm && rnd() < 0.1) return crash('before an ack was checkpointed')
    save()
    if (await compact()) send()
  }
  const poll = async (step: number, crashInside: boolean) => {
    const period = rnd() < 0.8 ? PERIODS[0]! : PERIODS[1]!
    const deltas: NewDelta[] = SUBSCRIBERS.filter(() => rnd() < 0.7).map((subscriberId) => {
      const key = keyOf({ subscriberId, periodStart: period })
      const fresh = 1 + Math.floor(rnd() * 1000)
      add(truth, key, fresh)
      // What a crash cut from the journal comes back with the counter's next reading.
      const down = fresh + (recount.get(key) ?? 0)
      recount.delete(key)
      return {
        subscriberId,
        periodStart: period,
        down,
        up: 0,
        atMs: step,
        counter: { id: 'c', boot: 'b', down: String(step), up: '0', atMs: step },
      }
    })
    const before = journal.disk.bytes
    const records = await journal.append(deltas)
    if (!crashInside || records.length === 0) {
      for (const record of records) {
        add(books, keyOf(record), record.down)
        appliedSeq = record.n
      }
      if (await compact()) send()
      return
    }
    // The append never returned: only a prefix of its bytes is on disk, maybe followed by NULs.
    const after = journal.disk.bytes
    const cut = before + Math.floor(rnd() * (after - before))
    await truncate(path, cut)
    if (rnd() < 0.5) await appendFile(path, Buffer.alloc(after - cut))
    const reopened = await Journal.open(path, quiet, checkpoint, options)
    const kept = new Set(reopened.records.map((r) => r.n))
    for (const record of records) {
      if (!kept.has(record.n)) add(recount, keyOf(record), record.down)
    }
    await crash('inside an append')
  }

  for (let step = 0; step < 250; step++) {
    const r = rnd()
    if (r < 0.3) await poll(step, false)
    else if (r < 0.36) await poll(step, true)
    else if (r < 0.56) deliverUsage()
    else if (r < 0.76) await deliverAck()
    else if (r < 0.8) send()
    else if (r < 0.85) {
      connected = false
      toController = []
      toAgent = []
    } else if (r < 0.93) {
      if (connected) continue
      connected = true
      sentSeq = 0
      if (controller.hwm > 0) toAgent.push(controller.hwm)
      send()
    } else if (r < 0.97) save()
    else await crash('between steps')
  }
  // The counter gives back what crashes cut, then the controller stays: each byte booked once.
  calm = true
  while (recount.size > 0) await poll(250, false)
  connected = true
  sentSeq = 0
  toController = []
  toAgent = controller.hwm > 0 ? [controller.hwm] : []
  send()
  for (let i = 0; i < 10_000 && journal.size > 0; i++) {
    deliverUsage()
    await deliverAck()
    send()
  }
  expect(journal.size, `seed ${seed}: drained`).toBe(0)
  expect(controller.booked, `seed ${seed}: booked`).toEqual(truth)
  expect(books, `seed ${seed}: local books`).toEqual(truth)
}

describe('journal crash points', () => {
  it('books every byte exactly once with crashes inside appends, compactions and acks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-journal-crash-'))
    try {
      const first = Math.floor(Math.random() * 1e9)
      for (let i = 0; i < 20; i++) await round(first + i, dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
