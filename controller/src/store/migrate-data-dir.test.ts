import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { frameRecord } from '@capd/durable'
import { afterEach, describe, expect, it } from 'vitest'
import { DATA_VERSION, StoreFormatError } from './data.js'
import { DataDirLockedError } from './lock-file.js'
import { openLowdbStore, STORE_FILE, WAL_FILE } from './lowdb-store.js'
import { migrateDataDir } from './migrate-data-dir.js'

const FIXTURE = new URL('./testdata/store-v1.json', import.meta.url)
const STAMP = { atMs: 1_780_000_000_000, capdVersion: '9.9.9' }

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/**
 * A data dir as capd with store version 1 left it after a crash: a snapshot at version 3 written
 * before usage history, settings and notifications existed, and a log of two more transactions,
 * one of them into a table the snapshot lacks (which version 1 read as empty).
 */
async function version1Dir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capd-migrate-'))
  dirs.push(dir)
  await copyFile(FIXTURE, join(dir, STORE_FILE))
  const records = [
    { v: 3, ops: [] }, // already in the snapshot (a crash between snapshot and log reset)
    {
      v: 4,
      ops: [{ o: 's', t: 'settings', k: 'currency', v: { id: 'currency', value: 'KES', setAtMs: 1 } }],
    },
    {
      v: 5,
      ops: [
        {
          o: 's',
          t: 'plans',
          k: 'pln_big',
          v: { id: 'pln_big', name: 'Big', capBytes: 9, onCap: 'block', createdAtMs: 2 },
        },
      ],
    },
  ]
  await writeFile(join(dir, WAL_FILE), records.map((r) => frameRecord(JSON.stringify(r))).join(''))
  return dir
}

async function filesOf(dir: string) {
  const files: Record<string, string> = {}
  for (const name of (await readdir(dir)).sort())
    files[name] = (await readFile(join(dir, name))).toString('base64')
  return files
}

describe('capd migrate', () => {
  it('refuses to start the controller on a version-1 store, naming capd migrate, and changes nothing', async () => {
    const dir = await version1Dir()
    const before = await filesOf(dir)
    await expect(openLowdbStore(dir, () => {})).rejects.toThrow(
      /store version 1, older than this capd's 2.*capd migrate/,
    )
    expect(await filesOf(dir)).toEqual(before)
  })

  it('upgrades version 1 to 2 with its log replayed, keeps the old files, and the controller then opens it', async () => {
    const dir = await version1Dir()
    const before = await filesOf(dir)
    const outcome = await migrateDataDir(dir, STAMP)
    expect(outcome).toMatchObject({ kind: 'migrated', from: 1, to: DATA_VERSION })
    // The old files, byte for byte, beside the new ones.
    const after = await filesOf(dir)
    expect(after[`${STORE_FILE}.v1`]).toBe(before[STORE_FILE])
    expect(after[`${WAL_FILE}.v1`]).toBe(before[WAL_FILE])
    expect(after[WAL_FILE]).toBe('')
    const doc = JSON.parse(await readFile(join(dir, STORE_FILE), 'utf8'))
    expect(doc).toMatchObject({ version: 2, committedVersion: 5, migrations: [{ from: 1, to: 2, ...STAMP }] })
    for (const table of [
      'usageDays',
      'usageMonths',
      'notifications',
      'deliveries',
      'webhookEndpoints',
      'orders',
    ]) {
      expect(doc[table], table).toEqual({})
    }
    const store = await openLowdbStore(dir, (line) => expect.fail(line))
    expect((await store.peek((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_basic', 'pln_big'])
    expect(await store.peek((tx) => tx.settings.get('currency'))).toMatchObject({ value: 'KES' })
    await store.close()
  })

  it('is a no-op on a current store: files byte-identical', async () => {
    const dir = await version1Dir()
    await migrateDataDir(dir, STAMP)
    const once = await filesOf(dir)
    expect(await migrateDataDir(dir, { ...STAMP, atMs: STAMP.atMs + 1 })).toEqual({
      kind: 'current',
      version: 2,
    })
    expect(await filesOf(dir)).toEqual(once)
  })

  it('refuses to downgrade a newer store, naming both versions, files byte-identical; so does the controller', async () => {
    const dir = await version1Dir()
    const doc = JSON.parse(await readFile(FIXTURE, 'utf8'))
    await writeFile(join(dir, STORE_FILE), JSON.stringify({ ...doc, version: 3 }))
    const before = await filesOf(dir)
    const refusal = migrateDataDir(dir, STAMP)
    await expect(refusal).rejects.toBeInstanceOf(StoreFormatError)
    await expect(refusal).rejects.toThrow(/store version 3, newer than this capd's 2.*never downgrades/)
    expect(await filesOf(dir)).toEqual(before)
    await expect(openLowdbStore(dir, () => {})).rejects.toThrow(/store version 3, newer than this capd's 2/)
    expect(await filesOf(dir)).toEqual(before)
  })

  it('refuses while a controller holds the dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-migrate-'))
    dirs.push(dir)
    const store = await openLowdbStore(dir, () => {})
    await expect(migrateDataDir(dir, STAMP)).rejects.toBeInstanceOf(DataDirLockedError)
    await store.close()
  })
})
