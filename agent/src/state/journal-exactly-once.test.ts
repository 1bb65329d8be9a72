import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { Journal, type JournalEntry, type NewDelta } from './journal.js'

/** Small, seedable: a failing round prints its seed. */
const random = (seed: number) => seededRandom(seed).next

const SUBSCRIBERS = ['sub_a', 'sub_b', 'sub_c', 'sub_d']
const PERIODS = ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']
const quiet = () => {}
const keyOf = (e: { subscriberId: string; periodStart: string }) => `${e.subscriberId} ${e.periodStart}`

function add(sums: Map<string, number>, key: string, bytes: number) {
  sums.set(key, (sums.get(key) ?? 0) + bytes)
}

/**
 * The agent's side as agent.ts runs it (send after the ack, seal before sending, resend from the ack
 * on a new connection, checkpoint then compact), against a controller that books seq > its
 * high-water mark, over a link that loses, duplicates and reorders nothing but drops whole
 * connections; plus crashes that reopen the journal from disk and the checkpoint.
 */
async function round(seed: number, dir: string) {
  const rnd = random(seed)
  const path = join(dir, `journal-${seed}.log`)
  const options = { compactSlack: 1 + Math.floor(rnd() * 12) }
  const truth = new Map<string, number>()
  let checkpoint = { ackedSeq: 0, appliedSeq: 0, books: new Map<string, number>() }
  let { journal } = await Journal.open(path, quiet, checkpoint, options)
  let books = new Map<string, number>()
  let appliedSeq = 0
  let ackedSeq = 0
  let sentSeq = 0
  let connected = false
  let toController: JournalEntry[][] = []
  let toAgent: number[] = []
  /** The highest seq sent, or held in the journal at a crash. */
  let sealedSeq = 0
  const controller = { hwm: 0, booked: new Map<string, number>(), gaps: 0 }
  const save = () => {
    checkpoint = { ackedSeq, appliedSeq, books: new Map(books) }
  }
  const compact = async () => {
    if (!journal.wantsCompaction) return
    save()
    await journal.compact()
  }
  const send = () => {
    if (!connected) return
    while (toController.length < 3) {
      const batch = journal.pending(Math.max(sentSeq, ackedSeq), 1 + Math.floor(rnd() * 4))
      if (batch.length === 0) return
      const last = batch[batch.length - 1]!.seq
      journal.seal(last)
      sealedSeq = Math.max(sealedSeq, last)
      toController.push(batch.map((e) => ({ ...e })))
      sentSeq = last
    }
  }
  const deliverUsage = () => {
    const batch = toController.shift()
    if (!batch) return
    if (rnd() < 0.1) toController.unshift(batch) // delivered twice
    const fresh = batch.filter((e) => e.seq > controller.hwm)
    if (fresh.length > 0) {
      if (fresh[0]!.seq !== controller.hwm + 1) controller.gaps++
      for (const e of fresh) add(controller.booked, keyOf(e), e.down)
      controller.hwm = fresh[fresh.length - 1]!.seq
    }
    toAgent.push(controller.hwm)
    if (rnd() < 0.1) toAgent.push(Math.floor(rnd() * (controller.hwm + 1))) // a stale ack
  }
  const deliverAck = async () => {
    const seq = toAgent.shift()
    if (seq === undefined || seq <= ackedSeq) return
    ackedSeq = Math.min(seq, journal.seq)
    journal.ack(ackedSeq)
    save()
    await compact()
    send()
  }

  for (let step = 0; step < 300; step++) {
    const r = rnd()
    if (r < 0.35) {
      const period = rnd() < 0.8 ? PERIODS[0]! : PERIODS[1]!
      const deltas: NewDelta[] = SUBSCRIBERS.filter(() => rnd() < 0.7).map((subscriberId) => {
        const down = 1 + Math.floor(rnd() * 1000)
        return {
          subscriberId,
          periodStart: period,
          down,
          up: 0,
          atMs: step,
          counter: { id: 'c', boot: 'b', down: String(step), up: '0', atMs: step },
        }
      })
      for (const record of await journal.append(deltas)) {
        add(books, keyOf(record), record.down)
        appliedSeq = record.n
      }
      for (const d of deltas) add(truth, keyOf(d), d.down)
      await compact()
      send()
    } else if (r < 0.55) deliverUsage()
    else if (r < 0.75) await deliverAck()
    else if (r < 0.8) send()
    else if (r < 0.85) {
      connected = false
      toController = []
      toAgent = []
    } else if (r < 0.92) {
      if (connected) continue
      connected = true
      sentSeq = 0
      if (controller.hwm > 0) toAgent.push(controller.hwm) // the hub's ack after hello
      send()
    } else if (r < 0.96) save()
    else {
      // A crash: memory is gone; the checkpoint and the journal file are what is left.
      connected = false
      toController = []
      toAgent = []
      const reopened = await Journal.open(path, quiet, checkpoint, options)
      journal = reopened.journal
      sealedSeq = journal.seq
      books = new Map(checkpoint.books)
      appliedSeq = checkpoint.appliedSeq
      for (const record of reopened.records) {
        if (record.n <= appliedSeq) continue
        add(books, keyOf(record), record.down)
        appliedSeq = record.n
      }
      ackedSeq = checkpoint.ackedSeq
      sentSeq = 0
      expect(books, `seed ${seed}: books rebuilt after a crash at step ${step}`).toEqual(truth)
    }
    // Entries never sent (nor reopened after a crash): at most one per subscriber and period.
    const unsent = journal.pending(sealedSeq, Number.MAX_SAFE_INTEGER)
    expect(unsent.length, `seed ${seed}`).toBeLessThanOrEqual(SUBSCRIBERS.length * PERIODS.length)
    expect(new Set(unsent.map(keyOf)).size, `seed ${seed}`).toBe(unsent.length)
  }
  // The controller comes back for good: everything drains, each byte booked once.
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
  expect(controller.gaps, `seed ${seed}: seq gaps`).toBe(0)
  expect(books, `seed ${seed}: local books`).toEqual(truth)
}

describe('journal coalescing', () => {
  it('books every byte exactly once through outages, duplicates, stale acks and crashes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-journal-once-'))
    try {
      const first = Math.floor(Math.random() * 1e9)
      for (let i = 0; i < 25; i++) await round(first + i, dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
