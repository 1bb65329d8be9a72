/**
 * The usage journal: every counted delta is appended and fsynced before it is sent, so a crash
 * loses nothing. Records are length- and checksum-framed (@capd/durable): a torn last record (a
 * crash mid-append) is cut off on open and logged; damage anywhere else refuses to open.
 *
 * Bounded during an outage: a delta for a subscriber and period whose entry has not been sent yet
 * joins that entry (same seq) instead of starting a new one, so unsent entries are at most one per
 * subscriber and period. An entry is sealed once sent — or once the journal is reopened, since what
 * was sent before a crash is unknown — and never changes after, so the controller's (epoch, seq)
 * high-water mark still counts every byte exactly once, and seqs stay dense. Acked entries leave
 * memory in O(acked); the file is rewritten with the live entries only once it holds several times
 * more records than that (amortised O(1) per record).
 */
import { type LogLine, RecordLog } from '@capd/durable'
import type { UsageEntry } from '@capd/protocol'

export interface CounterPosition {
  id: string
  boot: string
  down: string
  up: string
  atMs: number
}

/** A usage entry as it is sent, plus the counter position it brought the baseline to. */
export interface JournalEntry extends UsageEntry {
  counter: CounterPosition
}

/**
 * One record on disk: one poll's delta (`down`/`up` are that delta) for the entry `seq`. `n` numbers
 * records (strictly increasing): the checkpoint's `appliedSeq` says up to which the books hold them.
 */
export interface JournalRecord extends JournalEntry {
  n: number
}

/** A delta to journal: the journal picks its entry (seq) and record number. */
export type NewDelta = Omit<JournalRecord, 'seq' | 'n'>

/** Rewrite the file once it holds more records than this many per live entry (plus the slack). */
const COMPACT_FACTOR = 4
const COMPACT_SLACK = 1024

export interface JournalOptions {
  /** Records the file may hold beyond COMPACT_FACTOR × live entries before it is rewritten. */
  compactSlack?: number
}

export class Journal {
  /** Live (unacked) entries ordered by seq, from `head` on: a deque, so acks drop from the front. */
  private entries: JournalEntry[] = []
  private head = 0
  /** Unsealed entries by subscriber and period: where the next delta for them goes. */
  private readonly open = new Map<string, JournalEntry>()
  private sealedSeq: number
  private fileRecords: number

  private constructor(
    private readonly file: RecordLog,
    private lastSeq: number,
    private lastN: number,
    fileRecords: number,
    private readonly compactSlack: number,
  ) {
    this.sealedSeq = lastSeq
    this.fileRecords = fileRecords
  }

  /**
   * Opens the journal (cutting and logging a torn tail; LogCorruptError on damage). `from` is the
   * checkpoint's: entries up to `ackedSeq` are dropped, numbering resumes after both. Returns the
   * records for replay onto the books too (those with `n` past the checkpoint's `appliedSeq`).
   */
  static async open(
    path: string,
    log: LogLine,
    from: { ackedSeq: number; appliedSeq: number },
    options: JournalOptions = {},
  ): Promise<{ journal: Journal; records: JournalRecord[] }> {
    const opened = await RecordLog.open<JournalRecord>(path, 'usage journal', log)
    const { records } = opened
    let lastSeq = from.ackedSeq
    let lastN = from.appliedSeq
    for (const r of records) {
      lastSeq = Math.max(lastSeq, r.seq)
      lastN = Math.max(lastN, r.n)
    }
    const journal = new Journal(
      opened.log,
      lastSeq,
      lastN,
      records.length,
      options.compactSlack ?? COMPACT_SLACK,
    )
    const bySeq = new Map<number, JournalEntry>()
    for (const r of records) {
      if (r.seq <= from.ackedSeq) continue
      const entry = bySeq.get(r.seq)
      if (entry) addTo(entry, r)
      else bySeq.set(r.seq, toEntry(r))
    }
    journal.entries = [...bySeq.values()].sort((a, b) => a.seq - b.seq)
    return { journal, records }
  }

  /** Unacked entries. */
  get size(): number {
    return this.entries.length - this.head
  }

  /** Records and bytes in the file now. */
  get disk(): { records: number; bytes: number } {
    return { records: this.fileRecords, bytes: this.file.size }
  }

  /** The highest seq given to an entry. */
  get seq(): number {
    return this.lastSeq
  }

  /**
   * Journals deltas durably (one fsync) and returns the records written, for replay onto the books.
   * Nothing in memory changes unless the write succeeds.
   */
  async append(deltas: readonly NewDelta[]): Promise<JournalRecord[]> {
    if (deltas.length === 0) return []
    const joining = new Map<string, number>()
    let seq = this.lastSeq
    let n = this.lastN
    const records = deltas.map((delta): JournalRecord => {
      const key = keyOf(delta)
      const into = this.open.get(key)?.seq ?? joining.get(key)
      const record = { ...delta, seq: into ?? ++seq, n: ++n }
      joining.set(key, record.seq)
      return record
    })
    await this.file.append(records.map((r) => JSON.stringify(r)))
    this.fileRecords += records.length
    this.lastN = n
    this.lastSeq = seq
    for (const record of records) {
      const key = keyOf(record)
      const entry = this.open.get(key)
      if (entry?.seq === record.seq) addTo(entry, record)
      else {
        const fresh = toEntry(record)
        this.entries.push(fresh)
        this.open.set(key, fresh)
      }
    }
    return records
  }

  /** Up to `limit` live entries with seq > `afterSeq`, in seq order. */
  pending(afterSeq: number, limit: number): JournalEntry[] {
    let low = this.head
    let high = this.entries.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.entries[mid]!.seq <= afterSeq) low = mid + 1
      else high = mid
    }
    return this.entries.slice(low, low + limit)
  }

  /** Entries up to `seq` are (being) sent: they never change again. Call before sending them. */
  seal(seq: number): void {
    if (seq <= this.sealedSeq) return
    this.sealedSeq = seq
    for (const [key, entry] of this.open) if (entry.seq <= seq) this.open.delete(key)
  }

  /** Forgets entries up to `seq` (acked): O(acked); the file keeps them until the next compaction. */
  ack(seq: number): void {
    this.seal(seq)
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= seq) this.head++
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
  }

  /** Whether the file has grown enough past the live entries that rewriting it is worth it. */
  get wantsCompaction(): boolean {
    return this.fileRecords > COMPACT_FACTOR * this.size + this.compactSlack
  }

  /**
   * Rewrites the file with one record per live entry. The caller must first checkpoint the books
   * with `appliedSeq` ≥ every record number so far: the rewritten records are not replayed again.
   */
  async compact(): Promise<void> {
    const live = this.entries.slice(this.head)
    // Each keeps the number of its newest delta: all at or below the checkpoint's appliedSeq.
    const records = live.map((e): JournalRecord => ({ ...e, n: this.lastN }))
    await this.file.rewrite(records.map((r) => JSON.stringify(r)))
    this.fileRecords = records.length
  }

  /** Drops everything (a journal whose state file is gone belongs to an epoch nobody continues). */
  async clear(): Promise<void> {
    await this.file.clear()
    this.fileRecords = 0
    this.lastSeq = 0
    this.lastN = 0
    this.sealedSeq = 0
    this.entries = []
    this.head = 0
    this.open.clear()
  }
}

function keyOf(d: { subscriberId: string; periodStart: string }): string {
  return `${d.subscriberId}\n${d.periodStart}`
}

function toEntry({ n: _, ...record }: JournalRecord): JournalEntry {
  return { ...record, counter: { ...record.counter } }
}

function addTo(entry: JournalEntry, record: JournalRecord): void {
  entry.down += record.down
  entry.up += record.up
  entry.atMs = record.atMs
  entry.counter = { ...record.counter }
}
