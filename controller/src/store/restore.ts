/**
 * `capd restore`'s work: a data dir made from a checked backup. The backup is checked whole before
 * anything is touched; the dir must be empty (or `force`), and no controller may hold it.
 */
import { link, mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fsyncDirectory, writeFileAtomic } from '@capd/durable'
import { type BackupHeader, decodeBackup } from './backup-file.js'
import { acquireDataDirLock } from './lock-file.js'
import { STORE_FILE, WAL_FILE } from './lowdb-store.js'

/** The files that make up a store; with `force`, these are moved aside, never deleted. */
const STORE_FILES = [STORE_FILE, `${STORE_FILE}.prev`, WAL_FILE]

export interface Restored {
  header: BackupHeader
  /** Where the store files that were in the dir went (`force`), if there were any. */
  movedAsideTo?: string
}

export class RestoreRefused extends Error {
  override readonly name = 'RestoreRefused'
}

export async function restoreBackup(
  bytes: Buffer,
  source: string,
  dataDir: string,
  { force = false, now = new Date() }: { force?: boolean; now?: Date } = {},
): Promise<Restored> {
  const { header, doc } = decodeBackup(bytes, source)
  const present = await entries(dataDir)
  if (present.length > 0 && !force) {
    throw new RestoreRefused(
      `${dataDir} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}); ` +
        'restore into a new directory, or give --force to move its store files aside first',
    )
  }
  await mkdir(dataDir, { recursive: true })
  // Also keeps a controller from starting on the dir while its files are being replaced.
  const lock = await acquireDataDirLock(dataDir)
  try {
    // Written under another name first, so the moment between the old store leaving and the new one
    // arriving is only renames.
    const incoming = join(dataDir, `${STORE_FILE}.restoring`)
    await writeFileAtomic(incoming, `${JSON.stringify(doc)}\n`)
    const movedAsideTo = await moveStoreAside(dataDir, now)
    await rename(incoming, join(dataDir, STORE_FILE))
    await fsyncDirectory(dataDir)
    return movedAsideTo ? { header, movedAsideTo } : { header }
  } finally {
    await lock.release()
  }
}

/**
 * Moves an existing store into `before-restore-<time>/`, snapshot first: the log must never be
 * replayed onto the restored snapshot (its versions continue another history).
 */
async function moveStoreAside(dataDir: string, now: Date): Promise<string | undefined> {
  const present = new Set(await entries(dataDir))
  const toMove = STORE_FILES.filter((name) => present.has(name))
  if (toMove.length === 0) return undefined
  const base = join(dataDir, `before-restore-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`)
  // Two restores within one second: the second one's files go beside, not over, the first one's.
  let aside = base
  for (let n = 2; !(await createdDir(aside)); n++) aside = `${base}-${n}`
  for (const name of toMove) {
    // Hard link, then remove: the file is never absent from both places.
    await link(join(dataDir, name), join(aside, name))
    await rm(join(dataDir, name))
  }
  await fsyncDirectory(aside)
  return aside
}

/** False when it exists already. */
async function createdDir(path: string): Promise<boolean> {
  try {
    await mkdir(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}
