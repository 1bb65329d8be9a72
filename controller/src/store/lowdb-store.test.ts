import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { StoreCorruptError } from './durable-json-file.js'
import { DataDirLockedError } from './lock-file.js'
import { openLowdbStore, STORE_FILE, WAL_FILE } from './lowdb-store.js'

/** Opening an undamaged store has nothing to say. */
const unexpectedLog = (line: string) => expect.fail(`unexpected store message: ${line}`)

const dirs: string[] = []
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'capd-lowdb-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const plan = (id: string) => ({ id, name: id, capBytes: 1, onCap: 'block' as const, createdAtMs: 0 })

describe('lowdb store on disk', () => {
  it('keeps what was acknowledged across close and reopen', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, unexpectedLog)
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    // Acknowledged means on disk already: a copy of the dir taken now (as a crash would leave it) has it.
    const crashed = await tempDir()
    await cp(join(dir, WAL_FILE), join(crashed, WAL_FILE))
    const recovered = await openLowdbStore(crashed, unexpectedLog)
    expect((await recovered.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a'])
    await recovered.close()
    await store.close()
    // A clean close leaves one snapshot and an empty log.
    expect(JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8')).plans.pln_a.name).toBe('pln_a')
    expect(await readFile(join(dir, WAL_FILE), 'utf8')).toBe('')
    const again = await openLowdbStore(dir, unexpectedLog)
    expect((await again.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a'])
    await again.close()
  })

  it('snapshots once the log passes snapshotAfterLogBytes, however small', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, () => {}, { snapshotAfterLogBytes: 1 })
    for (const id of ['pln_a', 'pln_b', 'pln_c', 'pln_d']) {
      await store.transact(async (tx) => tx.plans.insert(plan(id)))
    }
    // Taken while running, not only on close: the snapshot holds plans and the log only what followed.
    const snapshot = JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8'))
    expect(Object.keys(snapshot.plans).length).toBeGreaterThan(0)
    const crashed = await tempDir()
    await cp(join(dir, STORE_FILE), join(crashed, STORE_FILE))
    await cp(join(dir, WAL_FILE), join(crashed, WAL_FILE))
    const recovered = await openLowdbStore(crashed, () => {})
    expect((await recovered.transact((tx) => tx.plans.list())).map((p) => p.id).sort()).toEqual([
      'pln_a',
      'pln_b',
      'pln_c',
      'pln_d',
    ])
    await recovered.close()
    await store.close()
  })

  it('lets only one controller open a data dir', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, unexpectedLog)
    await expect(openLowdbStore(dir, unexpectedLog)).rejects.toThrow(DataDirLockedError)
    await store.close()
    const next = await openLowdbStore(dir, unexpectedLog)
    await next.close()
  })

  it('refuses to start on a damaged file, names the backup, and leaves both files as they were', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, unexpectedLog)
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    await store.close()
    const second = await openLowdbStore(dir, unexpectedLog)
    await second.transact(async (tx) => tx.plans.insert(plan('pln_b')))
    await second.close()
    const file = join(dir, STORE_FILE)
    const prev = await readFile(`${file}.prev`, 'utf8')
    await writeFile(file, '{"format":"capd-store","vers')
    const error = await openLowdbStore(dir, unexpectedLog).catch((err: Error) => err)
    expect(error).toBeInstanceOf(StoreCorruptError)
    expect((error as Error).message).toContain(`${file}.prev`)
    expect(await readFile(file, 'utf8')).toBe('{"format":"capd-store","vers')
    expect(await readFile(`${file}.prev`, 'utf8')).toBe(prev)
    // The lock is released, so the operator can restore and start again.
    await writeFile(file, prev)
    const restored = await openLowdbStore(dir, unexpectedLog)
    expect((await restored.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a'])
    await restored.close()
  })

  it('replays the log onto the snapshot and refuses a log with a gap', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, unexpectedLog)
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    await store.close()
    const again = await openLowdbStore(dir, unexpectedLog)
    await again.transact(async (tx) => tx.plans.insert(plan('pln_b')))
    await again.transact(async (tx) => tx.plans.insert(plan('pln_c')))
    const crashed = await tempDir()
    await cp(join(dir, STORE_FILE), join(crashed, STORE_FILE))
    const wal = await readFile(join(dir, WAL_FILE), 'utf8')
    await writeFile(join(crashed, WAL_FILE), wal)
    const replayed = await openLowdbStore(crashed, unexpectedLog)
    expect((await replayed.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual([
      'pln_a',
      'pln_b',
      'pln_c',
    ])
    await replayed.close()
    const gap = await tempDir()
    await cp(join(dir, STORE_FILE), join(gap, STORE_FILE))
    await writeFile(join(gap, WAL_FILE), wal.split('\n')[1]!.concat('\n'))
    await expect(openLowdbStore(gap, unexpectedLog)).rejects.toThrow(
      /jumps from version 1 to 3: changes are missing/,
    )
    await again.close()
  })

  it('refuses a JSON file that is not a capd store', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, STORE_FILE), '{"hello":"world"}')
    await expect(openLowdbStore(dir, unexpectedLog)).rejects.toThrow(/is not a capd store/)
  })
})
