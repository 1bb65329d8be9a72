/**
 * `/readyz`: whether this controller should be sent traffic. Not ready once the store has failed
 * (the process is about to exit), once it is closed, while a durable write hangs, or while the
 * controller is stopping; each answer is 503 with a code and a fixed sentence. `/healthz` only
 * says the process answers.
 */
import type { Handler } from 'hono'
import type { Store } from '../store/store.js'
import type { FatalGate } from './fatal-gate.js'

export type NotReady = 'stopping' | 'store_failed' | 'store_unavailable' | 'store_stalled'

/** A write running this long means the disk under the data dir hangs (a healthy one takes milliseconds). */
export const STALLED_WRITE_MS = 10_000

/**
 * The answer goes to unauthenticated callers, so it never carries the failure itself (paths,
 * errno): the controller logs that when the store fails.
 */
const MESSAGES: Record<NotReady, string> = {
  stopping: 'the controller is stopping',
  store_failed: 'the store can no longer write; the controller is restarting (see its log)',
  store_unavailable: 'the store is closed',
  store_stalled: `a write to the data dir has not finished for over ${STALLED_WRITE_MS / 1000} s (see the controller's log)`,
}

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

  /**
   * Why the controller is not ready, or undefined when it is. Answered from the store's state,
   * never through its lock: a long transaction (an import) must not make a probe wait.
   */
  private reason(): NotReady | undefined {
    if (this.stopping) return 'stopping'
    const health = this.store.health()
    if (this.fatal?.tripped || health.state === 'failed') return 'store_failed'
    if (health.state === 'closed') return 'store_unavailable'
    if (health.writingMs > STALLED_WRITE_MS) return 'store_stalled'
    return undefined
  }

  route(): Handler {
    return (c) => {
      const code = this.reason()
      if (!code) return c.json({ ready: true })
      c.header('Retry-After', '5')
      return c.json({ ready: false, error: { code, message: MESSAGES[code] } }, 503)
    }
  }
}
