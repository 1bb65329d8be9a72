/** An exclusive lock on a controller's data directory, so two controllers never write the same store. */
import { randomUUID } from 'node:crypto'
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { refuseRootInOthersDir } from './data-dir-owner.js'

/** What a lock file records about the controller holding it. */
export interface LockHolder {
  pid: number
  host: string
  startedAt: string
}

export interface DataDirLock {
  readonly lockPath: string
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): Promise<void>
}

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError'
  readonly lockPath: string
  readonly holder: LockHolder | undefined

  constructor(dir: string, lockPath: string, holder: LockHolder | undefined) {
    const who = holder
      ? `controller pid ${holder.pid} on host ${holder.host} (started ${holder.startedAt})`
      : 'another controller'
    const remote =
      holder && holder.host !== hostname()
        ? ` That is not this host (${hostname()}), so capd cannot check whether it is still running.`
        : ''
    super(
      `data dir ${dir} is in use by ${who}.${remote} ` +
        `Stop it first, or if it is not running remove ${lockPath}`,
    )
    this.lockPath = lockPath
    this.holder = holder
  }
}

const LOCK_FILE = 'capd.lock'

// Lock files this process holds. A lock file naming our own pid that is not in here was left by an
// earlier process that happened to get the same pid (always pid 1 in a restarted container).
const heldByUs = new Set<string>()

/**
 * `log` hears of a lock taken over from a controller that is gone (it did not stop cleanly). Run
 * as root on a dir that belongs to another user, throws DataDirOwnerError (see data-dir-owner.ts).
 */
export async function acquireDataDirLock(
  dir: string,
  log: (line: string) => void = () => {},
): Promise<DataDirLock> {
  const lockPath = join(resolve(dir), LOCK_FILE)
  // Before the lock file, the first thing a writer puts in the dir.
  await refuseRootInOthersDir(dir)
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() })

  if (!(await tryCreate(lockPath, mine))) {
    const found = await readLock(lockPath)
    if (found !== undefined) {
      const holder = parseHolder(found)
      if (holder && isAlive(holder, lockPath)) throw new DataDirLockedError(dir, lockPath, holder)
      await evictStale(dir, lockPath, found)
      log(
        `took over ${lockPath} from ${holder ? `controller pid ${holder.pid} on ${holder.host} (started ${holder.startedAt})` : 'an unreadable lock'}, which is no longer running`,
      )
    }
    if (!(await tryCreate(lockPath, mine))) {
      const winner = await readLock(lockPath)
      throw new DataDirLockedError(dir, lockPath, winner === undefined ? undefined : parseHolder(winner))
    }
  }
  heldByUs.add(lockPath)

  let released = false
  return {
    lockPath,
    async release() {
      if (released) return
      released = true
      heldByUs.delete(lockPath)
      // Someone may have judged us dead and taken over; their lock is not ours to remove.
      if ((await readLock(lockPath)) === mine) await rm(lockPath, { force: true })
    },
  }
}

// Written aside and hard-linked into place, so the lock file never exists without its content:
// with open('wx') + write, a second controller could read it empty, call it garbage and take it over.
async function tryCreate(lockPath: string, content: string): Promise<boolean> {
  const draft = `${lockPath}.${process.pid}.${randomUUID()}.tmp`
  try {
    // Inside the try: a full disk creates the file and then fails to fill it.
    await writeFile(draft, content)
    await link(draft, lockPath)
    return true
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    throw error
  } finally {
    await rm(draft, { force: true })
  }
}

// Moves the stale lock aside rather than unlinking it: if another controller replaced it after we read
// it, unlink would delete their live lock. What we moved tells us which one we got.
async function evictStale(dir: string, lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.${process.pid}.${randomUUID()}.stale`
  try {
    await rename(lockPath, aside)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return
    throw error
  }
  try {
    const moved = await readFile(aside, 'utf8')
    if (moved === staleContent) return
    // We took a fresh lock: put it back (fails only if yet another controller got in) and give way.
    await link(aside, lockPath).catch((error: unknown) => {
      if (errorCode(error) !== 'EEXIST') throw error
    })
    throw new DataDirLockedError(dir, lockPath, parseHolder(moved))
  } finally {
    await rm(aside, { force: true })
  }
}

async function readLock(lockPath: string): Promise<string | undefined> {
  try {
    return await readFile(lockPath, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

function parseHolder(content: string): LockHolder | undefined {
  let value: unknown
  try {
    value = JSON.parse(content)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { pid, host, startedAt } = value as Record<string, unknown>
  // Strict, because kill(0) and kill(-1) would signal whole process groups.
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined
  if (typeof host !== 'string' || host === '' || typeof startedAt !== 'string') return undefined
  return { pid: pid as number, host, startedAt }
}

function isAlive(holder: LockHolder, lockPath: string): boolean {
  // Another machine's (or container's) pids mean nothing here; assume it runs rather than risk two writers.
  if (holder.host !== hostname()) return true
  if (holder.pid === process.pid) return heldByUs.has(lockPath)
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user. Anything but "no such process" counts as alive.
    return errorCode(error) !== 'ESRCH'
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}
