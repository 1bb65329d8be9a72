import { appendFile, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Journal, type NewDelta } from './journal.js'

const quiet = () => {}
const fromStart = { ackedSeq: 0, appliedSeq: 0 }

const delta = (sub: string, bytes: number, periodStart = '2026-03-01T00:00:00.000Z'): NewDelta => ({
  subscriberId: sub,
  periodStart,
  down: bytes,
  up: 1,
  atMs: 1000 + bytes,
  counter: { id: 'c1', boot: 'b1', down: String(bytes), up: '1', atMs: 1000 + bytes },
})

async function journalPath() {
  return join(await mkdtemp(join(tmpdir(), 'capd-journal-')), 'journal.log')
}

describe('journal', () => {
  it('keeps appended entries across reopen and drops acked ones', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet, fromStart)
    await journal.append([delta('a', 100), delta('b', 200)])
    journal.seal(2)
    await journal.append([delta('a', 300)])
    const { journal: reopened, records } = await Journal.open(path, quiet, fromStart)
    expect(records.map((r) => [r.seq, r.n])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ])
    expect(reopened.pending(0, 10).map((e) => e.seq)).toEqual([1, 2, 3])
    reopened.ack(2)
    expect(reopened.pending(0, 10).map((e) => e.seq)).toEqual([3])
    const again = await Journal.open(path, quiet, { ackedSeq: 2, appliedSeq: 3 })
    expect(again.journal.pending(0, 10).map((e) => [e.seq, e.down])).toEqual([[3, 300]])
    expect(again.journal.seq).toBe(3)
  })

  it('joins a delta to its subscriber and period’s unsent entry, never to a sent one', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet, fromStart)
    await journal.append([delta('a', 100), delta('b', 200)])
    await journal.append([delta('a', 10), delta('a', 5, '2026-04-01T00:00:00.000Z')])
    expect(journal.pending(0, 10).map((e) => [e.seq, e.subscriberId, e.down])).toEqual([
      [1, 'a', 110],
      [2, 'b', 200],
      [3, 'a', 5],
    ])
    journal.seal(1)
    await journal.append([delta('a', 1), delta('b', 2)])
    expect(journal.pending(0, 10).map((e) => [e.seq, e.subscriberId, e.down])).toEqual([
      [1, 'a', 110],
      [2, 'b', 202],
      [3, 'a', 5],
      [4, 'a', 1],
    ])
    // Reopened, every entry is sealed (what was sent before a crash is unknown), totals the same.
    const { journal: reopened } = await Journal.open(path, quiet, fromStart)
    expect(reopened.pending(0, 10).map((e) => e.down)).toEqual([110, 202, 5, 1])
    await reopened.append([delta('b', 7)])
    expect(reopened.pending(4, 10).map((e) => [e.seq, e.down])).toEqual([[5, 7]])
  })

  it('cuts off a torn last record and keeps everything before it', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet, fromStart)
    await journal.append([delta('a', 1), delta('b', 2)])
    await appendFile(path, '120 0badf00d {"subscriberId":"c"')
    const said: string[] = []
    const { journal: reopened, records } = await Journal.open(path, (l) => said.push(l), fromStart)
    expect(records.map((e) => e.seq)).toEqual([1, 2])
    expect(said).toHaveLength(1)
    await reopened.append([delta('c', 3)])
    expect((await Journal.open(path, quiet, fromStart)).records.map((e) => e.seq)).toEqual([1, 2, 3])
  })

  it('refuses a garbled record with more after it, and leaves the file alone', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet, fromStart)
    await journal.append([delta('a', 1)])
    await appendFile(path, '{garbage\n')
    await journal.append([delta('b', 2)])
    const before = await readFile(path)
    await expect(Journal.open(path, quiet, fromStart)).rejects.toThrow(/damaged at byte offset \d+/)
    expect((await readFile(path)).equals(before)).toBe(true)
  })

  it('starts empty when there is no file', async () => {
    const { journal, records } = await Journal.open(await journalPath(), quiet, fromStart)
    expect(records).toEqual([])
    expect(journal.size).toBe(0)
  })
})
