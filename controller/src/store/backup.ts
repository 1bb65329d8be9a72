/**
 * `capd backup`'s work: a consistent copy of a data dir's store, taken beside a running controller
 * without its lock and without changing a file, or of a stopped one.
 *
 * Every record in the write-ahead log is durable before its transaction is acknowledged, and the
 * log is emptied only after a snapshot holding all of it is in place. So the snapshot read through
 * one descriptor, plus the log records that continue it without a gap, is the store exactly as it
 * was at the last of those records: a committed state, and no older than the backup (everything
 * acknowledged before it began is in it), provided that snapshot was still the current one once
 * the log was read. A torn last record is an append in flight (not yet acknowledged) and is left
 * out. When a snapshot was taken between reading the two files, the copy starts over.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type BackupHeader, encodeBackup } from './backup-file.js'
import { type ReadOptions, readStoreOnce } from './store-reader.js'

export interface BackupOptions extends ReadOptions {
  capdVersion: string
  now?: () => Date
  /** Reads before giving up on a store that keeps changing under the reader (default 20). */
  attempts?: number
}

export interface Backup {
  text: string
  header: BackupHeader
  /** Reads it took: more than 1 when a snapshot was taken during a read. */
  reads: number
}

export async function takeBackup(dataDir: string, options: BackupOptions): Promise<Backup> {
  const attempts = options.attempts ?? 20
  const reasons: string[] = []
  for (let read = 1; read <= attempts; read++) {
    const result = await readStoreOnce(dataDir, options)
    if (result.settled) {
      const { text, header } = encodeBackup(result.doc, {
        capdVersion: options.capdVersion,
        createdAt: (options.now ?? (() => new Date()))(),
      })
      return { text, header, reads: read }
    }
    reasons.push(result.why)
    // A snapshot is over within milliseconds; a short, growing pause lets it finish.
    await sleep(10 * read)
  }
  throw new Error(
    `could not read a consistent copy of ${dataDir} in ${attempts} tries; the last time: ${reasons.at(-1)}. ` +
      'If the controller is stopped, the store is damaged.',
  )
}
