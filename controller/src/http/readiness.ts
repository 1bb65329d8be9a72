/**
 * `/readyz`: whether this controller should be sent traffic. Not ready once the store has failed
 * (the process is about to exit), once it is closed, or while the controller is stopping; each
 * answer is 503 with the reason. `/healthz` only says the process answers.
 */
import type { Handler } from 'hono'
import type { Store } from '../store/store.js'
import type { FatalGate } from './fatal-gate.js'

export type NotReady = 'stopping' | 'store_failed' | 'store_unavailable'

export class Readiness {
  private stopping = false

  constructor(
    private readonly store: Store,
    private readonly fatal?: FatalGate,
  ) {}

  /** From now on the controller is not ready: it is stopping. */
  stop(): void {
    this.stopping = true
  }

  /** Why the controller is not ready, or undefined when it is. */
  async notReady(): Promise<{ code: NotReady; message: string } | undefined> {
    if (this.stopping) return { code: 'stopping', message: 'the controller is stopping' }
    const failure = this.fatal?.tripped
    if (failure) return { code: 'store_failed', message: `the store failed: ${failure.message}` }
    try {
      // A read through the store's lock: it is open, and no transaction holds it for long.
      await this.store.peek(async () => undefined)
    } catch (err) {
      return { code: 'store_unavailable', message: (err as Error).message }
    }
    return undefined
  }

  route(): Handler {
    return async (c) => {
      const reason = await this.notReady()
      if (!reason) return c.json({ ready: true })
      c.header('Retry-After', '5')
      return c.json({ ready: false, error: reason }, 503)
    }
  }
}
