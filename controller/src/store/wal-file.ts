/**
 * The store's write-ahead log: each committed transaction is one record `{"v":<version>,"ops":[…]}`
 * appended and fsynced before it is acknowledged, so a commit costs the size of the change, not of
 * the whole document. Records are length- and checksum-framed (@capd/durable): a torn last record
 * (a crash mid-append, never acknowledged) is cut off on open and logged; damage anywhere else
 * refuses to open, naming the file and byte offset.
 */
import { type LogLine, RecordLog } from '@capd/durable'

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
  private constructor(private readonly log: RecordLog) {}

  static async open(
    path: string,
    log: LogLine,
  ): Promise<{ wal: WalFile; records: WalRecord[]; tornBytes: number }> {
    const opened = await RecordLog.open<WalRecord>(path, 'write-ahead log', log)
    return { wal: new WalFile(opened.log), records: opened.records, tornBytes: opened.tornBytes }
  }

  get path(): string {
    return this.log.path
  }

  /** Bytes in the log now: the store takes a snapshot when this grows past the document's size. */
  get size(): number {
    return this.log.size
  }

  /** Appends whole framed records (a RecordBuffer's, one per transaction) and fsyncs them. */
  append(framed: Uint8Array): Promise<void> {
    return this.log.appendFramed(framed)
  }

  /**
   * Keeps the records from byte `offset` on (those a new snapshot does not hold) atomically, by
   * rename; an offset at the end empties it in place. A crash leaves the old log or the new one,
   * both whole.
   */
  keepFrom(offset: number): Promise<void> {
    return this.log.keepFrom(offset)
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
