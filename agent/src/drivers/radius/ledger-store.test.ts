import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { frameRecord } from '@capd/durable'
import { afterEach, describe, expect, it } from 'vitest'
import type { AccountingRecord } from './accounting-record.js'
import { Ledger } from './ledger.js'
import { LedgerStore, logPathOf } from './ledger-store.js'

const T0 = Date.parse('2026-03-10T12:00:00Z')
const dirs: string[] = []
afterEach(() => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))))
const ledgerPath = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capd-ledger-store-'))
  dirs.push(dir)
  return join(dir, 'radius-ledger.json')
}
const interim = (sessionId: string, down: bigint): AccountingRecord => ({
  status: 'interim',
  sessionId,
  userName: 'alice',
  down,
  up: 1n,
  delayS: 0,
  sessionTimeS: 1,
})
const quiet = { log: () => {} }
const alice = (store: LedgerStore) => store.committed.samples.find((s) => s.subscriberId === 'sub_a')

/** A store with alice's counter and `records` interims of one session, each its own log record. */
async function storeWithRecords(path: string, records: number) {
  const store = await LedgerStore.open(path, T0, quiet)
  store.ledger.createCounter('sub_a', 'alice')
  store.ledger.record({ ...interim('s1', 0n), status: 'start' }, 'nas1', T0)
  await store.commit()
  for (let i = 1; i <= records; i++) {
    store.ledger.record(interim('s1', BigInt(i * 100)), 'nas1', T0 + i)
    await store.commit()
  }
  await store.flush()
  return store
}

describe('the RADIUS ledger store', () => {
  it('opens a ledger file written before the log unchanged, and answers without rewriting it', async () => {
    const path = await ledgerPath()
    const old = Ledger.fresh(T0)
    old.createCounter('sub_a', 'alice')
    old.record(interim('s1', 500n), 'nas1', T0)
    // The format of capd before the log: no logSeq.
    const text = old.toJson().replace(/,"logSeq":0/, '')
    expect(text).not.toContain('logSeq')
    await writeFile(path, text)
    const store = await LedgerStore.open(path, T0 + 1000, quiet)
    expect(store.ledger.generation).toBe(old.generation)
    expect(alice(store)).toMatchObject({ down: 0n, up: 0n })
    store.ledger.record(interim('s1', 800n), 'nas1', T0 + 2000)
    await store.commit()
    expect(await readFile(path, 'utf8')).toBe(text)
    const again = await LedgerStore.open(path, T0 + 3000, quiet)
    expect(alice(again)).toMatchObject({ down: 300n, up: 0n })
  })

  it('cuts a torn last record and says so; what was answered stays', async () => {
    const path = await ledgerPath()
    await storeWithRecords(path, 3)
    // A crash mid-append: the start of a record reached the disk.
    await appendFile(logPathOf(path), frameRecord(JSON.stringify({ g: 'x', seq: 5 })).slice(0, 11))
    const lines: string[] = []
    const store = await LedgerStore.open(path, T0, { log: (line) => lines.push(line) })
    expect(alice(store)).toMatchObject({ down: 300n })
    expect(lines.join('\n')).toMatch(/cut 11 bytes/)
  })

  it('refuses a log damaged before its last record, naming the offset, and leaves both files as they are', async () => {
    const path = await ledgerPath()
    await storeWithRecords(path, 4)
    const log = await readFile(logPathOf(path))
    const damaged = Buffer.from(log)
    const at = Math.floor(log.length / 3)
    damaged[at] = damaged[at]! ^ 0x5a
    await writeFile(logPathOf(path), damaged)
    const file = await readFile(path)
    await expect(LedgerStore.open(path, T0, quiet)).rejects.toThrow(
      /damaged at byte offset \d+.*Refusing to start/,
    )
    expect(await readFile(logPathOf(path))).toEqual(damaged)
    expect(await readFile(path)).toEqual(file)
  })

  it("refuses a log beside another ledger's file, and a log whose ledger file is gone", async () => {
    const path = await ledgerPath()
    await storeWithRecords(path, 2)
    const text = await readFile(path, 'utf8')
    await writeFile(path, Ledger.fresh(T0).toJson())
    await expect(LedgerStore.open(path, T0, quiet)).rejects.toThrow(
      /does not fit the ledger .*belongs to ledger/,
    )
    await rm(path)
    await expect(LedgerStore.open(path, T0, quiet)).rejects.toThrow(/is missing but its log .* is not/)
    await writeFile(path, text)
    expect(alice(await LedgerStore.open(path, T0, quiet))).toMatchObject({ down: 200n })
  })

  it('compacts the log into the file once it outgrows it, and reads the same back', async () => {
    const path = await ledgerPath()
    const before = (await readFile(path).catch(() => Buffer.alloc(0))).length
    const store = await storeWithRecords(path, 60)
    const steps: string[] = []
    const watched = await LedgerStore.open(path, T0, {
      log: () => {},
      minCompactBytes: 0,
      beforeStep: (s) => void steps.push(s),
    })
    watched.ledger.record(interim('s1', 7000n), 'nas1', T0 + 99)
    await watched.commit()
    await watched.flush()
    expect(steps).toEqual(['append', 'write-file', 'rename-file', 'cut-log'])
    expect((await readFile(path, 'utf8')).length).toBeGreaterThan(before)
    expect((await readFile(logPathOf(path))).length).toBe(0)
    expect(alice(await LedgerStore.open(path, T0, quiet))).toMatchObject({ down: 7000n })
    expect(alice(store)).toMatchObject({ down: 6000n })
  })
})
