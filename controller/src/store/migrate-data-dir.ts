/**
 * `capd migrate`'s work: upgrades a stopped data dir to this build's store version. The files as
 * they were are kept beside the new ones (`capd.json.v<old>`, `capd.wal.v<old>`), and the
 * upgraded document is written the way the store writes a snapshot, so a crash at any point leaves
 * either the old store or the new one.
 */
import { copyFile, open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fsyncDirectory } from '@capd/durable'
import { DATA_VERSION, StoreFormatError } from './data.js'
import { DurableJSONFile } from './durable-json-file.js'
import { acquireDataDirLock } from './lock-file.js'
import { STORE_FILE, WAL_FILE } from './lowdb-store.js'
import { type Migration, type MigrationStamp, migrateDocument } from './migrations.js'
import { readStoreOnce } from './store-reader.js'

export type MigrateOutcome =
  | { kind: 'current'; version: number }
  | { kind: 'migrated'; from: number; to: number; applied: Migration[]; keptAs: string[] }

export async function migrateDataDir(dataDir: string, stamp: MigrationStamp): Promise<MigrateOutcome> {
  if (!(await exists(dataDir)))
    throw new StoreFormatError(`${dataDir} does not exist: there is no store to migrate`)
  // The lock, so no controller writes while the files are replaced (and none is running now).
  const lock = await acquireDataDirLock(dataDir)
  try {
    // With the lock held nothing changes under the reader: an unsettled read is damage.
    const read = await readStoreOnce(dataDir)
    if (!read.settled) throw new Error(`the store in ${dataDir} is damaged: ${read.why}`)
    const from = read.doc.version
    if (from === DATA_VERSION) return { kind: 'current', version: from }
    const { doc, applied } = migrateDocument(read.doc, join(dataDir, STORE_FILE), stamp)
    const keptAs = await keepOldFiles(dataDir, from)
    const snapshot = new DurableJSONFile(join(dataDir, STORE_FILE))
    await snapshot.writeText(JSON.stringify(doc))
    // The snapshot holds every record of the log (committedVersion), so emptying it loses nothing.
    await emptyLog(join(dataDir, WAL_FILE))
    return { kind: 'migrated', from, to: DATA_VERSION, applied, keptAs }
  } finally {
    await lock.release()
  }
}

/** Copies the store files as they are to `<name>.v<version>` (or `.v<version>.<n>` if taken). */
async function keepOldFiles(dataDir: string, version: number): Promise<string[]> {
  const kept: string[] = []
  for (const name of [STORE_FILE, WAL_FILE]) {
    const path = join(dataDir, name)
    if (!(await exists(path))) continue
    let copy = `${path}.v${version}`
    for (let n = 2; await exists(copy); n++) copy = `${path}.v${version}.${n}`
    await copyFile(path, copy)
    const handle = await open(copy, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    kept.push(copy)
  }
  await fsyncDirectory(dataDir)
  return kept
}

async function emptyLog(path: string): Promise<void> {
  if (!(await exists(path))) return
  const handle = await open(path, 'r+')
  try {
    await handle.truncate(0)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false
      throw err
    },
  )
}
