/**
 * The embedded default store in the data dir: a lowdb JSON snapshot (`capd.json`, written with
 * temp file + fsync + rename + directory fsync, previous generation in `capd.json.prev`) plus a
 * write-ahead log (`capd.wal`) of the transactions committed since. Opening reads the snapshot and
 * replays the log; a snapshot is taken once the log outgrows it (in the background, see
 * DocumentStore), and on a clean close.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseRecords } from '@capd/durable'
import { Low } from 'lowdb'
import { checkData, type Data, emptyData } from './data.js'
import { DocumentStore, type Persistence } from './document-store.js'
import { documentChunks } from './document-view.js'
import { DurableJSONFile, StoreCorruptError, shellQuote } from './durable-json-file.js'
import { acquireDataDirLock, type DataDirLock } from './lock-file.js'
import { applyOps, WalFile } from './wal-file.js'

export const STORE_FILE = 'capd.json'
export const WAL_FILE = 'capd.wal'

/** Below this the log is never worth a snapshot; above it, once it outgrows the snapshot. */
const MIN_SNAPSHOT_BYTES = 4 * 1024 * 1024

export interface LowdbStoreOptions {
  /**
   * Snapshot once the log passes this many bytes, however large the snapshot is (small stores,
   * tests that want frequent snapshots). By default: once it passes both 4 MiB and the last
   * snapshot's size, so a snapshot never costs more than the log it replaces.
   */
  snapshotAfterLogBytes?: number
}

/**
 * Opens (or creates) the store in `dataDir`; refuses to start on a damaged store or a dir in use.
 * `log` gets what opening has to say (a torn log tail it cut), so nothing is dropped silently.
 */
export async function openLowdbStore(
  dataDir: string,
  log: (line: string) => void,
  { snapshotAfterLogBytes }: LowdbStoreOptions = {},
): Promise<DocumentStore> {
  await mkdir(dataDir, { recursive: true })
  const lock = await acquireDataDirLock(dataDir, log)
  try {
    const file = join(dataDir, STORE_FILE)
    const walPath = join(dataDir, WAL_FILE)
    await refuseInterruptedRestore(file)
    const adapter = new DurableJSONFile<Data>(file, { backupLacks: () => unreplayedLog(file, walPath) })
    const db = new Low<Data>(adapter, emptyData())
    await db.read()
    const data = checkData(db.data, file)
    // Left by a log cut interrupted before its rename: the log itself is whole.
    await rm(`${walPath}.tmp`, { force: true })
    const { wal, records } = await WalFile.open(walPath, log)
    replay(data, records, wal.path, file)
    const snapshotBytes = await stat(file).then(
      (s) => s.size,
      () => 0,
    )
    return new DocumentStore(data, persistence(adapter, wal, lock, snapshotBytes, snapshotAfterLogBytes))
  } catch (err) {
    await lock.release()
    throw err
  }
}

function replay(
  data: Data,
  records: { v: number; ops: Parameters<typeof applyOps>[1] }[],
  walPath: string,
  file: string,
) {
  let version = data.committedVersion ?? 0
  for (const record of records) {
    if (record.v <= version) continue // already in the snapshot (a crash between snapshot and log reset)
    if (record.v !== version + 1) {
      throw new StoreCorruptError(
        `${walPath} jumps from version ${version} to ${record.v}: changes are missing. ` +
          `Keep the data dir as it is and restore it from a backup.`,
        walPath,
        `${file}.prev`,
      )
    }
    applyOps(data as unknown as Record<string, unknown>, record.ops)
    version = record.v
  }
  data.committedVersion = version
}

/** `capd restore` writes `capd.json.restoring` before it swaps the store; left behind, the swap did not finish. */
async function refuseInterruptedRestore(file: string) {
  const restoring = `${file}.restoring`
  const found = await stat(restoring).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false
      throw err
    },
  )
  if (found) {
    throw new Error(
      `${restoring} exists: a capd restore into this data dir was interrupted. Run it again with --force.`,
    )
  }
}

/** The log continues the damaged snapshot, not its backup: restoring the backup loses it too. */
async function unreplayedLog(file: string, walPath: string) {
  const bytes = await readFile(walPath).catch(() => Buffer.alloc(0))
  if (bytes.length === 0) return undefined
  const { records, bad } = parseRecords(bytes)
  const count = `${records.length} transaction${records.length === 1 ? '' : 's'}`
  return {
    what:
      `what the damaged ${file} held beyond it, and the ${count} in ${walPath}` +
      `${bad ? ` (and ${bytes.length - bad.offset} bytes it cannot read)` : ''}, ` +
      'which are not replayed onto it (they continue the damaged file, not the backup), so all of that is lost; ' +
      'the log must be moved aside too, or the controller refuses to start on the gap',
    commands: [`mv ${shellQuote(walPath)} ${shellQuote(`${walPath}.unreplayed`)}`],
  }
}

function persistence(
  adapter: DurableJSONFile<Data>,
  wal: WalFile,
  lock: DataDirLock,
  snapshotBytes: number,
  snapshotAfterLogBytes: number | undefined,
): Persistence {
  let lastSnapshotBytes = snapshotBytes
  return {
    append: (framed) => wal.append(framed),
    wantsSnapshot: () =>
      wal.size > (snapshotAfterLogBytes ?? Math.max(MIN_SNAPSHOT_BYTES, lastSnapshotBytes)),
    async snapshot(view) {
      lastSnapshotBytes = await adapter.writeChunks(documentChunks(view))
    },
    logSize: () => wal.size,
    keepLogFrom: (offset) => wal.keepFrom(offset),
    close: () => lock.release(),
  }
}
