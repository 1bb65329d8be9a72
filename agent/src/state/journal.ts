/**
 * The usage journal: every counted delta is appended and fsynced before it is sent, so a crash
 * loses nothing; entries are dropped once the controller acks them. Records are length- and
 * checksum-framed (@capd/durable): a torn last record (a crash mid-append) is cut off on open and
 * logged; damage anywhere else refuses to open, naming the file and byte offset.
 */
import { type LogLine, RecordLog } from '@capd/durable'
import type { UsageEntry } from '@capd/protocol'

/** A usage entry plus the counter position it brought the baseline to (for replay after a crash). */
export interface JournalEntry extends UsageEntry {
  counter: { id: string; boot: string; down: string; up: string; atMs: number }
}

export class Journal {
  private constructor(
    private readonly file: RecordLog,
    private entries: JournalEntry[],
  ) {}

  /** Opens the journal, cutting off (and logging) a torn tail; throws LogCorruptError on damage. */
  static async open(path: string, log: LogLine): Promise<{ journal: Journal; tornBytes: number }> {
    const { log: file, records, tornBytes } = await RecordLog.open<JournalEntry>(path, 'usage journal', log)
    return { journal: new Journal(file, records), tornBytes }
  }

  get all(): readonly JournalEntry[] {
    return this.entries
  }

  /** What the file held when opened and was appended since (for replay). */
  get records(): readonly JournalEntry[] {
    return this.entries
  }

  /** Appends entries durably: resolves once they are on disk. */
  async append(entries: readonly JournalEntry[]): Promise<void> {
    await this.file.append(entries.map((e) => JSON.stringify(e)))
    this.entries.push(...entries)
  }

  /** Drops entries with seq ≤ `seq` (acked), rewriting the file atomically. */
  async truncateThrough(seq: number): Promise<void> {
    const keep = this.entries.filter((e) => e.seq > seq)
    if (keep.length === this.entries.length) return
    await this.file.rewrite(keep.map((e) => JSON.stringify(e)))
    this.entries = keep
  }
}
