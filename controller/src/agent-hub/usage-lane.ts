/**
 * Every agent's usage batches booked through one lane. Batches that arrive while a transaction
 * runs are booked together in the next one (up to the store's usageEntriesPerTransaction), so a
 * burst from a hundred agents costs a few transactions, not a hundred that would conflict with
 * each other on a shared database. Each batch keeps its own result: its ack is still its own
 * high-water mark, committed with its entries.
 *
 * The embedded store takes one batch per transaction, and the next starts once the last is
 * durable. Handed to its lock all at once, a burst ran as one long stretch of transactions and of
 * their commits' callbacks (event-loop delay p99 154 ms against 59 ms through the lane, 10k
 * subscribers, same load), for about a fifth more deltas per second: the loop wins. The price is
 * one log write and fsync per batch rather than one per group of them.
 */
import type { Usage } from '@capd/protocol'
import type { DomainEnv } from '../domain/env.js'
import { takeUsage } from '../domain/usage-fold.js'
import type { IngestResult } from '../domain/usage-ingest.js'
import { readAheadForUsage } from '../domain/usage-read-ahead.js'
import type { Store } from '../store/store.js'

interface Waiting {
  agentId: string
  usage: Usage
  resolve(result: IngestResult): void
  reject(err: unknown): void
}

export class UsageLane {
  private waiting: Waiting[] = []
  private running = false
  private idle: (() => void)[] = []

  constructor(
    private readonly store: Store,
    private readonly env: DomainEnv,
    /** Called after a commit that journalled usage (see domain/usage-fold.ts), to book it. */
    private readonly journalled: () => void = () => {},
  ) {}

  /** Books the batch, alone or with others; resolves once it is durable. */
  ingest(agentId: string, usage: Usage): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ agentId, usage, resolve, reject })
      if (!this.running) void this.run()
    })
  }

  /** Whether batches are waiting or being taken. */
  get busy(): boolean {
    return this.running || this.waiting.length > 0
  }

  /** Resolves once no batch waits (at once if none does). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve()
    return new Promise((resolve) => this.idle.push(resolve))
  }

  private async run(): Promise<void> {
    this.running = true
    try {
      while (this.waiting.length > 0) await this.book(this.take())
    } finally {
      this.running = false
      for (const resolve of this.idle.splice(0)) resolve()
    }
  }

  /** The batches waiting, oldest first, up to the store's entries per transaction (always one). */
  private take(): Waiting[] {
    const most = this.store.usageEntriesPerTransaction ?? 0
    // At least the oldest batch, however large.
    let entries = this.waiting[0]!.usage.entries.length
    let n = 1
    while (n < this.waiting.length && entries + this.waiting[n]!.usage.entries.length <= most) {
      entries += this.waiting[n]!.usage.entries.length
      n++
    }
    return this.waiting.splice(0, n)
  }

  private async book(batch: Waiting[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await this.store.transact(async (tx) => {
          await readAheadForUsage(tx, this.env, batch)
          const out: IngestResult[] = []
          for (const w of batch) out.push(await takeUsage(tx, this.env, w.agentId, w.usage))
          return out
        })
        if (this.store.journalsUsage) this.journalled()
        for (const [i, w] of batch.entries()) w.resolve(results[i]!)
        return
      } catch {
        // One batch refused (a revoked agent, an overflow) must not fail the others: each alone,
        // so only the refused one is answered with its refusal.
      }
    }
    for (const w of batch) {
      try {
        w.resolve(await this.store.transact((tx) => takeUsage(tx, this.env, w.agentId, w.usage)))
        if (this.store.journalsUsage) this.journalled()
      } catch (err) {
        w.reject(err)
      }
    }
  }
}
