import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DataDirLockedError } from './lock-file.js'
import { StoreCorruptError } from './durable-json-file.js'
import { openLowdbStore, STORE_FILE } from './lowdb-store.js'

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
    const store = await openLowdbStore(dir)
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    // Acknowledged means on disk already, before close.
    expect(JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8')).plans.pln_a.name).toBe('pln_a')
    await store.close()
    const again = await openLowdbStore(dir)
    expect((await again.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a'])
    await again.close()
  })

  it('lets only one controller open a data dir', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir)
    await expect(openLowdbStore(dir)).rejects.toThrow(DataDirLockedError)
    await store.close()
    const next = await openLowdbStore(dir)
    await next.close()
  })

  it('refuses to start on a damaged file, names the backup, and leaves both files as they were', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir)
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    await store.transact(async (tx) => tx.plans.insert(plan('pln_b')))
    await store.close()
    const file = join(dir, STORE_FILE)
    const prev = await readFile(`${file}.prev`, 'utf8')
    await writeFile(file, '{"format":"capd-store","vers')
    const error = await openLowdbStore(dir).catch((err: Error) => err)
    expect(error).toBeInstanceOf(StoreCorruptError)
    expect((error as Error).message).toContain(`${file}.prev`)
    expect(await readFile(file, 'utf8')).toBe('{"format":"capd-store","vers')
    expect(await readFile(`${file}.prev`, 'utf8')).toBe(prev)
    // The lock is released, so the operator can restore and start again.
    await writeFile(file, prev)
    const restored = await openLowdbStore(dir)
    expect((await restored.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a'])
    await restored.close()
  })

  it('refuses a JSON file that is not a capd store', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, STORE_FILE), '{"hello":"world"}')
    await expect(openLowdbStore(dir)).rejects.toThrow(/is not a capd store/)
  })
})
