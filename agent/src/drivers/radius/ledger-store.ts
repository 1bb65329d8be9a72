/**
 * The ledger on disk: replaced atomically as a whole, with group commit (requests that arrive while
 * a write is under way share the next one). Readers get the ledger as last written, never ahead of
 * the disk: a poll that booked a value a crash then lost would see the counter go back.
 */
import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../../state/atomic-file.js'
import type { CounterSample } from '../driver.js'
import { Ledger } from './ledger.js'

export interface Committed {
  samples: CounterSample[]
}

export class LedgerStore {
  private writing: Promise<void> | undefined
  private queued: Promise<void> | undefined
  private committedView: Committed

  private constructor(
    readonly ledger: Ledger,
    private readonly path: string,
  ) {
    this.committedView = { samples: ledger.samples() }
  }

  /**
   * The ledger at `path`, or a new one (a new counter generation) if there is none. A file that is
   * there but unreadable is an error: starting afresh would recount sessions already booked.
   */
  static async open(path: string, nowMs: number): Promise<LedgerStore> {
    let text: string | undefined
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (text === undefined) {
      const store = new LedgerStore(Ledger.fresh(nowMs), path)
      await store.commit()
      return store
    }
    try {
      return new LedgerStore(Ledger.fromJson(text), path)
    } catch (err) {
      throw new Error(
        `the RADIUS ledger ${path} is damaged (${(err as Error).message}); move it away to start a new one (sessions open now then count only from their next report)`,
      )
    }
  }

  /** What the last finished write holds. */
  get committed(): Committed {
    return this.committedView
  }

  /** Resolves once every change made to the ledger before this call is on disk. */
  commit(): Promise<void> {
    if (this.queued) return this.queued
    const before = this.writing
    const next = (async () => {
      await before?.catch(() => {})
      // Changes made from here on are not in this snapshot: they need the next write.
      this.queued = undefined
      const text = this.ledger.toJson()
      const view = { samples: this.ledger.samples() }
      await writeFileAtomic(this.path, text)
      this.committedView = view
    })()
    this.queued = next
    this.writing = next
    return next
  }

  /** Waits for writes under way. */
  async flush(): Promise<void> {
    await this.writing?.catch(() => {})
  }
}
