/**
 * Wakes auto top-ups that waited for their minimum interval: checked every `intervalMs` and at
 * the end of the next known wait, so a subscriber blocked meanwhile (who sends no usage) is
 * topped up when the interval ends, not at some later report. Its commits push as any other's.
 */
import type { Logger } from '@capd/log'
import { retryWaitingAutoTopUps } from '../domain/auto-topup-pass.js'
import type { DomainEnv } from '../domain/env.js'
import { runJobOnce } from '../store/job-once.js'
import type { Store } from '../store/store.js'

export interface AutoTopUpRetrierOptions {
  store: Store
  env: DomainEnv
  /** Longest sleep between two looks (a wait recorded meanwhile is seen by the next). */
  intervalMs?: number
  logger: Logger
}

export class AutoTopUpRetrier {
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private readonly intervalMs: number

  constructor(private readonly options: AutoTopUpRetrierOptions) {
    this.intervalMs = options.intervalMs ?? 15_000
  }

  start(): void {
    this.running = true
    this.schedule(0)
  }

  stop(): void {
    this.running = false
    clearTimeout(this.timer)
  }

  /** One pass: the subscribers topped up, and when the next wait ends. */
  runOnce(): Promise<{ toppedUp: string[]; nextRetryAtMs: number }> {
    return retryWaitingAutoTopUps(this.options.store, this.options.env)
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), delayMs)
    this.timer.unref?.()
  }

  private async tick(): Promise<void> {
    let delayMs = this.intervalMs
    try {
      const result = await runJobOnce(this.options.store, 'auto-topup-retry', () => this.runOnce())
      const nextRetryAtMs = result?.nextRetryAtMs ?? Number.POSITIVE_INFINITY
      delayMs = Math.max(10, Math.min(this.intervalMs, nextRetryAtMs - this.options.env.clock.now()))
    } catch (err) {
      this.options.logger.error({ err, component: 'auto-topup' }, 'retrying auto top-ups failed')
    }
    if (this.running) this.schedule(delayMs)
  }
}
