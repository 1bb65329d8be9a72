/**
 * The usage journal: every counted delta is appended and fsynced before it is sent, so a crash
 * loses nothing; entries are dropped once the controller acks them. One JSON line per entry;
 * a torn last line (a crash mid-append) is cut off on open.
 */
import { open, readFile, truncate } from 'node:fs/promises'
import type { UsageEntry } from '@capd/protocol'
import { syncDir, writeFileAtomic } from './atomic-file.js'

/** A usage entry plus the counter position it brought the baseline to (for replay after a crash). */
export interface JournalEntry extends UsageEntry {
  counter: { id: string; boot: string; down: string; up: string; atMs: number }
}

export class Journal {
  private constructor(
    private readonly path: string,
    private entries: JournalEntry[],
  ) {}

  /** Opens the journal, cutting off a torn tail; returns it with what it holds. */
  static async open(path: string): Promise<{ journal: Journal; tornBytes: number }> {
    let text = ''
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const entries: JournalEntry[] = []
    let goodLength = 0
    for (const line of text.split('\n')) {
      const end = goodLength + line.length + 1
      if (end > text.length) break // no newline: the last append did not finish
      try {
        entries.push(JSON.parse(line) as JournalEntry)
      } catch {
        break
      }
      goodLength = end
    }
    const tornBytes = Buffer.byteLength(text.slice(goodLength))
    if (tornBytes > 0) await truncate(path, Buffer.byteLength(text.slice(0, goodLength)))
    return { journal: new Journal(path, entries), tornBytes }
  }

  get all(): readonly JournalEntry[] {
    return this.entries
  }

  /** Appends entries durably: resolves once they are on disk. */
  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return
    const file = await open(this.path, 'a', 0o600)
    try {
      await file.writeFile(entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
      await file.sync()
    } finally {
      await file.close()
    }
    if (this.entries.length === 0) await syncDir(dirnameOf(this.path))
    this.entries.push(...entries)
  }

  /** Drops entries with seq ≤ `seq` (acked), rewriting the file atomically. */
  async truncateThrough(seq: number): Promise<void> {
    const keep = this.entries.filter((e) => e.seq > seq)
    if (keep.length === this.entries.length) return
    await writeFileAtomic(this.path, keep.map((e) => `${JSON.stringify(e)}\n`).join(''))
    this.entries = keep
  }
}

function dirnameOf(path: string): string {
  const at = path.lastIndexOf('/')
  return at <= 0 ? '.' : path.slice(0, at)
}
