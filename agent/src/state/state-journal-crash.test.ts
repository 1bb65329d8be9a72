import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@capd/log'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it, vi } from 'vitest'

vi.mock('node:fs/promises', async (importOriginal) => {
  const { crashingFs } = await import('./testing-crash-disk.js')
  return crashingFs(await importOriginal<typeof import('node:fs/promises')>())
})

const { Crash, disk, resetDisk } = await import('./testing-crash-disk.js')
const { openState } = await import('./open-state.js')
const { replay } = await import('./replay.js')
const { book } = await import('./testing-state.js')
type JournalEntry = import('./journal.js').JournalEntry
type NewDelta = import('./journal.js').NewDelta

const SUBSCRIBERS = ['sub_a', 'sub_b', 'sub_c']
const PERIOD_START = '2026-11-01T00:00:00.000Z'

/**
 * The agent's state and journal together, as agent.ts drives them (journal then books, a save on
 * every ack and pushed limit, a save before each journal compaction), opened with openState after
 * the process is killed at a random change to the disk, again and again. A router counter per
 * subscriber is the independent tally: in the end the controller must have booked every byte of it
 * exactly once (no seq reused, nothing lost), the books must hold the same, and after each restart
 * every subscriber's limit must be the last one whose save resolved, or the one being saved.
 */
async function round(seed: number, dir: string) {
  const rnd = seededRandom(seed).next
  resetDisk(rnd)
  const options = { minCompactBytes: 300 + Math.floor(rnd() * 3000) }
  let { state, journal, store } = await openState(dir, silentLogger, options)
  const epoch = state.epoch
  const router = new Map(SUBSCRIBERS.map((id) => [id, 0]))
  let version = 1
  for (const id of SUBSCRIBERS) state.books.set(id, book(id, version, 0))
  await store.save()
  const savedVersion = new Map(SUBSCRIBERS.map((id) => [id, version]))
  const savingVersion = new Map<string, number>()
  let savedAckedSeq = 0
  const controller = { hwm: 0, booked: new Map<string, number>() }
  let connected = false
  let sentSeq = 0
  let toController: JournalEntry[][] = []
  let toAgent: number[] = []
  let crashes = 0

  const compactJournal = async () => {
    if (!journal.wantsCompaction) return
    await store.save()
    await journal.compact()
  }
  const poll = async (step: number) => {
    for (const id of SUBSCRIBERS)
      if (rnd() < 0.7) router.set(id, router.get(id)! + 1 + Math.floor(rnd() * 1000))
    const deltas: NewDelta[] = []
    for (const id of SUBSCRIBERS) {
      const from = Number(state.baselines.get(id)?.down ?? 0n)
      const at = router.get(id)!
      if (at === from) continue
      deltas.push({
        subscriberId: id,
        periodStart: PERIOD_START,
        down: at - from,
        up: 0,
        atMs: step,
        counter: { id: 'c', boot: 'b', down: String(at), up: '0', atMs: step },
      })
    }
    replay(state, await journal.append(deltas))
    await compactJournal()
  }
  const push = async () => {
    const id = SUBSCRIBERS[Math.floor(rnd() * SUBSCRIBERS.length)]!
    const current = state.books.get(id)!
    const v = ++version
    state.books.set(id, { ...current, limit: { ...current.limit, limitVersion: v } })
    savingVersion.set(id, v)
    await store.save()
    savedVersion.set(id, v)
    savingVersion.delete(id)
  }
  const send = () => {
    if (!connected) return
    while (toController.length < 3) {
      const batch = journal.pending(Math.max(sentSeq, state.ackedSeq), 1 + Math.floor(rnd() * 3))
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
      for (const e of fresh)
        controller.booked.set(e.subscriberId, (controller.booked.get(e.subscriberId) ?? 0) + e.down)
      controller.hwm = fresh[fresh.length - 1]!.seq
    }
    toAgent.push(controller.hwm)
  }
  const deliverAck = async () => {
    const seq = toAgent.shift()
    if (seq === undefined || seq <= state.ackedSeq) return
    state.ackedSeq = Math.min(seq, journal.seq)
    journal.ack(state.ackedSeq)
    const acked = state.ackedSeq
    await store.save()
    savedAckedSeq = acked
    await compactJournal()
    send()
  }
  const restart = async () => {
    crashes++
    disk.dead = true
    await store.close().catch(() => {})
    disk.dead = false
    disk.at = Number.POSITIVE_INFINITY
    ;({ state, journal, store } = await openState(dir, silentLogger, options))
    const where = `seed ${seed}, after crash ${crashes}`
    expect(state.epoch, where).toBe(epoch)
    expect(state.ackedSeq, `${where}: acked seq`).toBeGreaterThanOrEqual(savedAckedSeq)
    for (const id of SUBSCRIBERS) {
      const v = state.books.get(id)?.limit.limitVersion
      expect([savedVersion.get(id), savingVersion.get(id)], `${where}: ${id}'s limit`).toContain(v)
      savedVersion.set(id, v!)
      savingVersion.delete(id)
    }
    connected = false
    toController = []
    toAgent = []
    sentSeq = 0
    disk.ops = 0
    disk.at = 1 + Math.floor(rnd() * 80)
  }

  disk.ops = 0
  disk.at = 1 + Math.floor(rnd() * 80)
  for (let step = 0; step < 300; step++) {
    const r = rnd()
    try {
      if (r < 0.3) await poll(step)
      else if (r < 0.4) await push()
      else if (r < 0.6) deliverUsage()
      else if (r < 0.8) await deliverAck()
      else if (r < 0.85) send()
      else if (r < 0.9) {
        connected = false
        toController = []
        toAgent = []
      } else if (!connected) {
        connected = true
        sentSeq = 0
        if (controller.hwm > 0) toAgent.push(controller.hwm)
        send()
      }
    } catch (err) {
      if (!(err instanceof Crash)) throw err
      await restart()
    }
  }
  // A change in the background (a compaction) may have been the last one the process made: it died
  // there, with no step after it to notice.
  if (disk.dead) await restart()
  // Calm: no more crashes; one poll books what the counters moved since, then everything drains.
  disk.at = Number.POSITIVE_INFINITY
  await poll(300)
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
  await store.close()
  expect(journal.size, `seed ${seed}: drained`).toBe(0)
  const truth = Object.fromEntries(router)
  expect(Object.fromEntries(controller.booked), `seed ${seed}: booked by the controller`).toEqual(truth)
  const used = Object.fromEntries([...state.books].map(([id, b]) => [id, b.usedBytes]))
  expect(used, `seed ${seed}: the agent's books`).toEqual(truth)
  return crashes
}

describe('agent state and journal killed at any change to the disk', () => {
  it('books every counted byte exactly once and keeps the limits whose saves resolved', async () => {
    const first = Number(process.env.CAPD_TEST_SEED ?? Math.floor(Math.random() * 1e9))
    let crashes = 0
    for (let i = 0; i < 30; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'capd-state-journal-crash-'))
      try {
        crashes += await round(first + i, dir)
      } catch (err) {
        throw new Error(`seed ${first + i}: ${(err as Error).message}`, { cause: err })
      } finally {
        // The disk may be left dead by the round: cleaning up is not part of what is tested.
        resetDisk(Math.random)
        await rm(dir, { recursive: true, force: true })
      }
    }
    expect(crashes).toBeGreaterThan(30)
  }, 180_000)
})
