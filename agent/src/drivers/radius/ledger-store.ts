/**
 * The ledger on disk: a whole file (radius-ledger.json) and a log of what changed since it
 * (radius-ledger.log, checksummed records, @capd/durable). A commit appends one record holding the
 * sessions and counters changed since the last one, fsynced; requests that arrive while an append
 * is under way share the next one (group commit). Once the log is as large as the file, the whole
 * ledger is written to the file again in the background, answers going on meanwhile, and the log
 * is cut to the records the new file does not hold. Readers get the ledger as last committed, never
 * ahead of the disk: a poll that booked a value a crash then lost would see the counter go back.
 *
 * Crash safety. Records hold absolute values and are numbered; the file says up to which record it
 * holds them, so a crash between writing the file and cutting the log replays nothing twice, and
 * applying a record over a file that already has its values changes nothing.
 */
import { open, readFile, rename, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { frameRecord, fsyncDirectory, type LogLine, RecordLog, writeFileAtomic } from '@capd/durable'
import type { CounterSample } from '../driver.js'
import { Ledger } from './ledger.js'
import { type LedgerChange, LedgerFile } from './ledger-file.js'

export interface Committed {
  samples: CounterSample[]
}

/** The steps that change the disk, in the order a compaction takes them. */
export type DiskStep = 'append' | 'write-file' | 'rename-file' | 'cut-log'

export interface LedgerStoreOptions {
  /** Receives what is worth an operator's attention: a torn log tail cut, a failed compaction. */
  log: LogLine
  /** The log is not compacted below this size, however small the file (bytes). */
  minCompactBytes?: number
  /** Test seam: awaited before each step that changes the disk, with the bytes an append adds. */
  beforeStep?: (step: DiskStep, bytes?: string) => void | Promise<void>
}

/** The log beside the ledger file. */
export const logPathOf = (path: string) => `${path.replace(/\.json$/, '')}.log`

export class LedgerStore {
  /** The last step queued (appends and log cuts run one at a time, in order). */
  private writing: Promise<void> | undefined
  private queued: Promise<void> | undefined
  private compacting: Promise<void> | undefined
  /** Records appended since the file being written took its copy: the cut log keeps them. */
  private sinceCopy: string[] | undefined
  private readonly committedCounters = new Map<string, CounterSample>()

  private constructor(
    readonly ledger: Ledger,
    private readonly path: string,
    private readonly log: RecordLog,
    /** The last record appended. */
    private seq: number,
    private fileBytes: number,
    private readonly options: LedgerStoreOptions,
  ) {
    for (const sample of ledger.samples()) this.committedCounters.set(sample.subscriberId, sample)
  }

  /**
   * The ledger at `path` with its log replayed, or a new one (a new counter generation) if there is
   * none. A file or log that is there but damaged is an error: starting afresh would recount
   * sessions already booked. A torn last record (an append a crash interrupted, never answered) is
   * cut and reported.
   */
  static async open(path: string, nowMs: number, options: LedgerStoreOptions): Promise<LedgerStore> {
    const logPath = logPathOf(path)
    let text = await readOptional(path)
    if (text === undefined) {
      const logBytes = await stat(logPath).then(
        (s) => s.size,
        () => 0,
      )
      if (logBytes > 0) {
        throw new Error(
          `the RADIUS ledger ${path} is missing but its log ${logPath} is not; restore the ledger, or move the log away too to start a new one (sessions open now then count only from their next report)`,
        )
      }
      text = Ledger.fresh(nowMs).toJson(0)
      await writeFileAtomic(path, text)
    }
    let file: LedgerFile
    try {
      file = LedgerFile.parse(JSON.parse(text))
    } catch (err) {
      throw new Error(
        `the RADIUS ledger ${path} is damaged (${(err as Error).message}); move it and ${logPath} away to start a new one (sessions open now then count only from their next report)`,
      )
    }
    const ledger = Ledger.fromFile(file)
    const opened = await RecordLog.open<LedgerChange>(logPath, 'RADIUS ledger log', options.log)
    let seq = file.logSeq ?? 0
    for (const change of opened.records) {
      try {
        if (change.g !== ledger.generation) throw new Error(`it belongs to ledger ${change.g}`)
        if (change.seq <= seq) continue // the file holds it already
        if (change.seq !== seq + 1) throw new Error(`record ${seq + 1} is missing`)
        ledger.applyChange(change)
        seq = change.seq
      } catch (err) {
        throw new Error(
          `the RADIUS ledger log ${logPath} does not fit the ledger ${path} (generation ${ledger.generation}, record ${change.seq}: ${(err as Error).message}); restore both from a backup, or move both away to start a new ledger`,
        )
      }
    }
    ledger.takeChange(seq + 1) // what replay changed is on disk already
    return new LedgerStore(ledger, path, opened.log, seq, Buffer.byteLength(text), options)
  }

  /** What the last finished commit holds. */
  get committed(): Committed {
    return { samples: [...this.committedCounters.values()] }
  }

  /** Resolves once every change made to the ledger before this call is on disk. */
  commit(): Promise<void> {
    if (this.queued) return this.queued
    const next = this.enqueue(async () => {
      // Changes made from here on are not in this record: they need the next one.
      this.queued = undefined
      await this.append()
    })
    this.queued = next
    return next
  }

  /** Waits for appends and a compaction under way. */
  async flush(): Promise<void> {
    while (this.writing || this.compacting) {
      const pending = [this.writing, this.compacting]
      await Promise.all(pending.map((p) => p?.catch(() => {})))
      if (this.writing === pending[0]) this.writing = undefined
      if (this.compacting === pending[1]) this.compacting = undefined
    }
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const before = this.writing
    const next = (async () => {
      await before?.catch(() => {})
      await step()
    })()
    this.writing = next
    return next
  }

  private async append(): Promise<void> {
    const change = this.ledger.takeChange(this.seq + 1)
    const counters = Object.entries(change.counters)
    if (counters.length === 0 && Object.keys(change.sessions).length === 0) return
    const payload = JSON.stringify(change)
    try {
      await this.options.beforeStep?.('append', frameRecord(payload))
      await this.log.append([payload])
    } catch (err) {
      this.ledger.untake(change) // the next commit carries it
      throw err
    }
    this.seq = change.seq
    this.sinceCopy?.push(payload)
    for (const [subscriberId, c] of counters) {
      if (!c) this.committedCounters.delete(subscriberId)
      else {
        const sample = { subscriberId, counterId: c.id, down: BigInt(c.down), up: BigInt(c.up) }
        this.committedCounters.set(subscriberId, { ...sample, accountingTotals: true })
      }
    }
    if (
      !this.compacting &&
      this.log.size >= Math.max(this.fileBytes, this.options.minCompactBytes ?? 65_536)
    ) {
      // Taken here, between appends: the copy holds every record up to this one (and perhaps
      // changes of later ones, which applying those again leaves as they are).
      const text = this.ledger.toJson(this.seq)
      this.sinceCopy = []
      this.compacting = this.compact(text)
        .catch((err) => this.options.log(`capd: RADIUS ledger: compaction failed, retried later: ${err}`))
        .finally(() => {
          this.compacting = undefined
          this.sinceCopy = undefined
        })
    }
  }

  /** Writes the whole ledger to the file, then cuts the log to the records it does not hold. */
  private async compact(text: string): Promise<void> {
    const tmp = `${this.path}.tmp`
    await this.options.beforeStep?.('write-file')
    const file = await open(tmp, 'w', 0o600)
    try {
      await file.writeFile(text)
      await file.sync()
    } finally {
      await file.close()
    }
    await this.options.beforeStep?.('rename-file')
    await rename(tmp, this.path)
    await fsyncDirectory(dirname(this.path))
    this.fileBytes = Buffer.byteLength(text)
    // In the queue, so no append runs while the log is replaced.
    await this.enqueue(async () => {
      await this.options.beforeStep?.('cut-log')
      await this.log.rewrite(this.sinceCopy ?? [])
    })
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return undefined
  }
}
