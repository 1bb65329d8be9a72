/**
 * The store's write-ahead log: each committed transaction is one JSON line `{"v":<version>,"ops":[…]}`
 * appended and fsynced before it is acknowledged, so a commit costs the size of the change, not of
 * the whole document. A torn last line (a crash mid-append, never acknowledged) is cut off on open.
 */
import { open, readFile, truncate } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fsyncDirectory } from './fsync.js'

/** One change to the document: set or delete a keyed row, push to a list, or drop a list's first `n`. */
export type RedoOp =
  | { o: 's'; t: string; k: string; v: unknown }
  | { o: 'd'; t: string; k: string }
  | { o: 'p'; t: string; v: unknown }
  | { o: 'x'; t: string; n: number }

export interface WalRecord {
  v: number
  ops: RedoOp[]
}

export class WalFile {
  private constructor(
    readonly path: string,
    private bytes: number,
  ) {}

  static async open(path: string): Promise<{ wal: WalFile; records: WalRecord[]; tornBytes: number }> {
    let text = ''
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const records: WalRecord[] = []
    let good = 0
    while (good < text.length) {
      const end = text.indexOf('\n', good)
      if (end < 0) break
      try {
        records.push(JSON.parse(text.slice(good, end)) as WalRecord)
      } catch {
        break
      }
      good = end + 1
    }
    const goodBytes = Buffer.byteLength(text.slice(0, good))
    const tornBytes = Buffer.byteLength(text) - goodBytes
    if (tornBytes > 0) await truncate(path, goodBytes)
    return { wal: new WalFile(path, goodBytes), records, tornBytes }
  }

  /** Bytes in the log now: the store takes a snapshot when this grows past the document's size. */
  get size(): number {
    return this.bytes
  }

  /** Appends lines (each ending in a newline) and fsyncs them. */
  async append(lines: string): Promise<void> {
    const created = this.bytes === 0
    const file = await open(this.path, 'a', 0o600)
    try {
      await file.writeFile(lines)
      await file.sync()
    } finally {
      await file.close()
    }
    if (created) await fsyncDirectory(dirname(this.path))
    this.bytes += Buffer.byteLength(lines)
  }

  /** Empties the log once a snapshot holds everything in it. */
  async clear(): Promise<void> {
    await truncate(this.path, 0).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
    this.bytes = 0
  }
}

/** Applies logged changes to a document (replay after a restart). */
export function applyOps(doc: Record<string, unknown>, ops: readonly RedoOp[]): void {
  for (const op of ops) {
    const target = doc[op.t]
    if (target === undefined || target === null || typeof target !== 'object') {
      throw new Error(`log names unknown part "${op.t}" of the store`)
    }
    if (op.o === 'p') (target as unknown[]).push(op.v)
    else if (op.o === 'x') (target as unknown[]).splice(0, op.n)
    else if (op.o === 's') {
      // Delete first so a re-set key moves to the end, as the store does for age-ordered records.
      delete (target as Record<string, unknown>)[op.k]
      ;(target as Record<string, unknown>)[op.k] = op.v
    } else delete (target as Record<string, unknown>)[op.k]
  }
}
