/**
 * The baseline for bench/radius-accounting.ts: the RADIUS ledger store as it was before its log,
 * rewriting the whole file atomically per group commit.
 */

import { Ledger } from '../agent/src/drivers/radius/ledger.js'
import { writeFileAtomic } from '../agent/src/state/atomic-file.js'

export class WholeFileLedgerStore {
  readonly ledger = Ledger.fresh(Date.now())
  private writing: Promise<void> | undefined
  private queued: Promise<void> | undefined

  constructor(private readonly path: string) {}

  commit(): Promise<void> {
    if (this.queued) return this.queued
    const before = this.writing
    const next = (async () => {
      await before?.catch(() => {})
      this.queued = undefined
      const text = this.ledger.toJson()
      this.ledger.samples()
      await writeFileAtomic(this.path, text)
    })()
    this.queued = next
    this.writing = next
    return next
  }

  async flush(): Promise<void> {
    await this.writing?.catch(() => {})
  }
}
