import { appendFile, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Journal, type JournalEntry } from './journal.js'

const entry = (seq: number): JournalEntry => ({
  seq,
  subscriberId: 'sub_a',
  periodStart: '2026-03-01T00:00:00.000Z',
  down: seq * 100,
  up: seq,
  atMs: 1000 + seq,
  counter: { id: 'c1', boot: 'b1', down: String(seq * 100), up: String(seq), atMs: 1000 + seq },
})

const quiet = () => {}

async function journalPath() {
  return join(await mkdtemp(join(tmpdir(), 'capd-journal-')), 'journal.log')
}

describe('journal', () => {
  it('keeps appended entries across reopen and drops acked ones', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet)
    await journal.append([entry(1), entry(2)])
    await journal.append([entry(3)])
    const reopened = (await Journal.open(path, quiet)).journal
    expect(reopened.all.map((e) => e.seq)).toEqual([1, 2, 3])
    await reopened.truncateThrough(2)
    expect(reopened.all.map((e) => e.seq)).toEqual([3])
    expect((await Journal.open(path, quiet)).journal.all).toEqual([entry(3)])
  })

  it('cuts off a torn last line and keeps everything before it', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet)
    await journal.append([entry(1), entry(2)])
    await appendFile(path, JSON.stringify(entry(3)).slice(0, 25))
    const { journal: reopened, tornBytes } = await Journal.open(path, quiet)
    expect(tornBytes).toBe(25)
    expect(reopened.all.map((e) => e.seq)).toEqual([1, 2])
    await reopened.append([entry(3)])
    expect((await Journal.open(path, quiet)).journal.all.map((e) => e.seq)).toEqual([1, 2, 3])
  })

  it('refuses a garbled record with more after it, and leaves the file alone', async () => {
    const path = await journalPath()
    const { journal } = await Journal.open(path, quiet)
    await journal.append([entry(1)])
    await appendFile(path, '{garbage\n')
    await journal.append([entry(2)])
    const before = await readFile(path)
    await expect(Journal.open(path, quiet)).rejects.toThrow(/damaged at byte offset \d+/)
    expect((await readFile(path)).equals(before)).toBe(true)
  })

  it('starts empty when there is no file', async () => {
    const { journal, tornBytes } = await Journal.open(await journalPath(), quiet)
    expect(journal.all).toEqual([])
    expect(tornBytes).toBe(0)
  })
})
