/**
 * Reads a data dir's store (snapshot `capd.json` plus the write-ahead log `capd.wal` replayed onto
 * it) without opening it: no lock, no file changed, so it can run beside a live controller. While
 * the controller writes, one pass can catch a snapshot and a log from different moments; such a
 * pass says it is unsettled, and the caller reads again.
 */
import type { BigIntStats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseRecords } from '@capd/durable'
import { checkFormat, emptyData, StoreFormatError } from './data.js'
import { STORE_FILE, WAL_FILE } from './lowdb-store.js'
import { MIGRATIONS } from './migrations.js'
import { applyOps, type WalRecord } from './wal-file.js'

export type Doc = Record<string, unknown> & { version: number }

export type StoreRead =
  /** The document at `committedVersion`, a state the store was in once every record up to it was durable. */
  | { settled: true; doc: Doc; committedVersion: number; tornBytes: number }
  /** The files changed under the reader (a snapshot was taken in between); read again. */
  | { settled: false; why: string }

export interface ReadOptions {
  /** Runs between reading the snapshot and reading the log: where a test lets the store write. */
  betweenFiles?: () => Promise<void>
}

/** One pass over the files; throws on what no retry can mend (no store, a damaged snapshot, a newer version). */
export async function readStoreOnce(dataDir: string, { betweenFiles }: ReadOptions = {}): Promise<StoreRead> {
  const snapshotPath = join(dataDir, STORE_FILE)
  const logPath = join(dataDir, WAL_FILE)
  // The snapshot first, through one descriptor: a snapshot taken later renames a new file into
  // place and leaves what this descriptor reads alone.
  const snapshot = await readWhole(snapshotPath)
  await betweenFiles?.()
  const logBytes = (await readWhole(logPath))?.bytes ?? Buffer.alloc(0)
  // A snapshot renames its file into place before it cuts the log to the records after it. If the
  // file read above is still the one in place, the log was not cut before (or while) it was read:
  // it holds every record since that snapshot, up to the moment it was read. Otherwise the log may
  // have lost records the snapshot read does not hold, and a copy from the two would be older than
  // the store was when the backup began.
  const now = await identity(snapshotPath)
  if (now !== snapshot?.identity) return { settled: false, why: `a snapshot replaced ${snapshotPath}` }
  let doc: Doc
  if (snapshot === undefined) {
    if (await readWhole(`${snapshotPath}.prev`)) {
      throw new Error(`${snapshotPath} is missing but ${snapshotPath}.prev exists: the store is damaged`)
    }
    if (logBytes.length === 0) {
      throw new StoreFormatError(`${dataDir} holds no capd store (no ${STORE_FILE}, no ${WAL_FILE})`)
    }
    // A store whose first snapshot is still to come: its log holds everything since it was created.
    doc = emptyData() as unknown as Doc
  } else {
    doc = readAsWritten(
      checkFormat(parse(snapshot.bytes.toString('utf8'), snapshotPath), snapshotPath) as Doc,
    )
  }

  const parsed = parseRecords(logBytes)
  if (parsed.bad && !parsed.bad.torn) {
    return { settled: false, why: `${logPath} at byte offset ${parsed.bad.offset}: ${parsed.bad.reason}` }
  }
  let version = typeof doc.committedVersion === 'number' ? doc.committedVersion : 0
  for (const raw of parsed.records) {
    const record = JSON.parse(raw.payload) as WalRecord
    if (record.v <= version) continue // already in the snapshot
    if (record.v !== version + 1) {
      return { settled: false, why: `${logPath} jumps from version ${version} to ${record.v}` }
    }
    applyOps(doc, record.ops)
    version = record.v
  }
  doc.committedVersion = version
  return { settled: true, doc, committedVersion: version, tornBytes: logBytes.length - parsed.goodBytes }
}

/** The document as the release that wrote its version read it, before its log is replayed onto it. */
function readAsWritten(doc: Doc): Doc {
  const step = MIGRATIONS.find((m) => m.from === doc.version)
  return step ? (step.readAsWritten(doc) as Doc) : doc
}

function parse(text: string, path: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}): the store is damaged`)
  }
}

/**
 * A file's contents and which file it was, read through one descriptor. The inode alone could
 * repeat (a later snapshot may reuse a freed one); with the size and the nanosecond modification
 * time it does not.
 */
async function readWhole(path: string): Promise<{ bytes: Buffer; identity: string } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const identity = identify(await handle.stat({ bigint: true }))
    return { bytes: await handle.readFile(), identity }
  } finally {
    await handle.close()
  }
}

function identify({ dev, ino, size, mtimeNs }: BigIntStats): string {
  return `${dev}:${ino}:${size}:${mtimeNs}`
}

async function identity(path: string): Promise<string | undefined> {
  try {
    return identify(await stat(path, { bigint: true }))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
