/**
 * Limits that change with time alone (a new billing period, a top-up expiring): checked once a
 * minute and at the next known boundary; each subscriber whose terms changed gets a new
 * limitVersion, and its commit a push (see Store.onCommit); then auto top-up runs for them.
 */

import type { Logger } from '@capd/log'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import type { DomainEnv } from '../domain/env.js'
import { refreshAllLimits } from '../domain/limits.js'
import { runJobOnce } from '../store/job-once.js'
import type { Store } from '../store/store.js'

export interface LimitRefresherOptions {
  store: Store
  env: DomainEnv
  intervalMs?: number
  logger: Logger
}

export class LimitRefresher {
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private readonly intervalMs: number

  constructor(private readonly options: LimitRefresherOptions) {
    this.intervalMs = options.intervalMs ?? 60_000
  }

  start(): void {
    this.running = true
    this.schedule(0)
  }

  stop(): void {
    this.running = false
    clearTimeout(this.timer)
  }

  /**
   * One pass: returns the ids whose limits changed, and when to look again. A limit that fell by
   * time alone (a top-up expired with data left) may leave a subscriber at its auto top-up trigger,
   * blocked and so sending no usage: the rule runs for them here, after the limits commit.
   */
  async runOnce(): Promise<{ changedIds: string[]; nextChangeAtMs: number }> {
    const { store, env, logger } = this.options
    const result = await store.transact((tx) => refreshAllLimits(tx, env))
    try {
      await autoTopUpPass(store, env, result.changedIds)
    } catch (err) {
      logger.error({ err, component: 'limits' }, 'auto top-up after a limit change failed')
    }
    return result
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), delayMs)
    this.timer.unref?.()
  }

  private async tick(): Promise<void> {
    let delayMs = this.intervalMs
    try {
      // Another controller on the same database may be on it: this one looks again next pass.
      const result = await runJobOnce(this.options.store, 'limits', () => this.runOnce())
      const nextChangeAtMs = result?.nextChangeAtMs ?? Number.POSITIVE_INFINITY
      // Wake at the boundary itself when it comes before the next regular pass.
      delayMs = Math.max(10, Math.min(this.intervalMs, nextChangeAtMs - this.options.env.clock.now()))
    } catch (err) {
      this.options.logger.error({ err, component: 'limits' }, 'refreshing limits failed')
    }
    if (this.running) this.schedule(delayMs)
  }
}
