/**
 * Login throttling: after `maxFailures` failed logins for one login name or from one client
 * address within `windowMs`, further attempts are refused until the oldest failure ages out.
 * Counters live in this process's memory only: a restart forgets them, and several controllers
 * would each count on their own. That is enough to make online guessing slow, not a lockout record.
 */
export interface LoginThrottleOptions {
  maxFailures?: number
  windowMs?: number
  /** Keys tracked at most; past this the stalest are forgotten, so a flood cannot grow memory. */
  maxKeys?: number
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>()
  private readonly maxFailures: number
  private readonly windowMs: number
  private readonly maxKeys: number

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5
    this.windowMs = options.windowMs ?? 15 * 60_000
    this.maxKeys = options.maxKeys ?? 100_000
    if (this.maxFailures < 1 || this.windowMs <= 0 || this.maxKeys < 1) {
      throw new Error('LoginThrottle: maxFailures, windowMs and maxKeys must be positive')
    }
  }

  /** Seconds until an attempt for all of `keys` is allowed again; 0 when it is allowed now. */
  retryAfterSeconds(keys: readonly string[], nowMs: number): number {
    let waitMs = 0
    for (const key of keys) {
      const recent = this.recent(key, nowMs)
      if (recent.length >= this.maxFailures) {
        waitMs = Math.max(waitMs, recent[recent.length - this.maxFailures]! + this.windowMs - nowMs)
      }
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0
  }

  /**
   * Counts an attempt as failed before its password is checked, so parallel guesses cannot all
   * slip past `retryAfterSeconds` while scrypt runs. Returns what undoes it on success.
   */
  attempt(keys: readonly string[], nowMs: number): { succeeded(): void } {
    for (const key of keys) {
      const recent = this.recent(key, nowMs)
      recent.push(nowMs)
      // Re-inserting moves the key to the end, so the Map's order is least recently failed first.
      this.failures.delete(key)
      this.failures.set(key, recent.slice(-this.maxFailures))
    }
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!)
    return {
      // The login name's count starts again; the address keeps its other failures, or one known
      // account would reset guessing at the others.
      succeeded: () => {
        const [loginKey, ...others] = keys
        if (loginKey !== undefined) this.failures.delete(loginKey)
        for (const key of others) {
          const times = this.failures.get(key)
          const at = times?.lastIndexOf(nowMs) ?? -1
          if (times && at >= 0) times.splice(at, 1)
        }
      },
    }
  }

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.windowMs)
    if (times.length === 0) this.failures.delete(key)
    return times
  }
}
