/**
 * Login throttling, after OWASP ASVS 2.2.1 and NIST SP 800-63B 5.2.2: failures are counted per
 * (login name, client address) and per client address, each refused for a while past its limit;
 * one login name guessed at from many addresses is slowed by a growing delay on every attempt,
 * never locked, so nobody can lock the owner out by failing on purpose. Counters live in this
 * process's memory only: a restart forgets them, and several controllers would each count on
 * their own. That is enough to make online guessing slow, not a lockout record.
 */
import { addressBucket } from './address-bucket.js'

export interface LoginThrottleOptions {
  /** Failures one client may have on one login name within the window before it must wait. */
  maxFailuresPerLoginAndAddress?: number
  /** Failures one client may have across all login names within the window (password spraying). */
  maxFailuresPerAddress?: number
  /** Failures on one login name, from anywhere, before each further attempt on it is delayed. */
  freeFailuresPerLogin?: number
  /** The first delay; each further failure doubles it, up to `maxDelayMs`. */
  baseDelayMs?: number
  maxDelayMs?: number
  windowMs?: number
  /** Keys tracked at most; past this the stalest are forgotten, so a flood cannot grow memory. */
  maxKeys?: number
  sleep?: (ms: number) => Promise<void>
}

/** Whose attempt this is: the door's key for the login name, and the client's address if known. */
export interface AttemptKeys {
  login: string
  address?: string | undefined
}

export type Admission =
  | { outcome: 'throttled'; waitSeconds: number }
  /** Counted as failed until `succeeded` is called (after the password checked out). */
  | { outcome: 'admitted'; succeeded(): void }

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>()
  private readonly options: Required<LoginThrottleOptions>

  constructor(options: LoginThrottleOptions = {}) {
    this.options = {
      maxFailuresPerLoginAndAddress: 5,
      maxFailuresPerAddress: 20,
      freeFailuresPerLogin: 5,
      baseDelayMs: 1000,
      maxDelayMs: 15_000,
      windowMs: 15 * 60_000,
      maxKeys: 100_000,
      sleep: realSleep,
      ...options,
    }
    const { sleep, ...numbers } = this.options
    if (Object.values(numbers).some((n) => !(n >= 1))) {
      throw new Error('LoginThrottle: limits, delays, window and maxKeys must be positive')
    }
  }

  /**
   * Refuses the attempt if its client is over a limit; otherwise counts it as failed (before the
   * password is checked, so parallel guesses cannot all slip through while scrypt runs), waits the
   * login name's delay, and admits it.
   */
  async admit(keys: AttemptKeys, nowMs: number): Promise<Admission> {
    const o = this.options
    const address = addressBucket(keys.address ?? 'unknown')
    const pairKey = `pair:${keys.login}\n${address}`
    const addressKey = `address:${address}`
    const loginKey = `login:${keys.login}`
    const waitMs = Math.max(
      this.waitMs(pairKey, o.maxFailuresPerLoginAndAddress, nowMs),
      this.waitMs(addressKey, o.maxFailuresPerAddress, nowMs),
    )
    if (waitMs > 0) return { outcome: 'throttled', waitSeconds: Math.max(1, Math.ceil(waitMs / 1000)) }
    const loginFailures = this.recent(loginKey, nowMs).length
    const over = loginFailures - o.freeFailuresPerLogin
    const delayMs = over < 0 ? 0 : Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(over, 40))
    // The login key keeps enough failures to reach the longest delay.
    const loginKeep = o.freeFailuresPerLogin + Math.ceil(Math.log2(o.maxDelayMs / o.baseDelayMs)) + 1
    this.record(pairKey, o.maxFailuresPerLoginAndAddress, nowMs)
    this.record(addressKey, o.maxFailuresPerAddress, nowMs)
    this.record(loginKey, loginKeep, nowMs)
    if (delayMs > 0) await o.sleep(delayMs)
    return {
      outcome: 'admitted',
      // This pair starts again; the address and the login keep their other failures, or one known
      // account would reset guessing at the others (and one success would reset the delay).
      succeeded: () => {
        this.failures.delete(pairKey)
        for (const key of [addressKey, loginKey]) {
          const times = this.failures.get(key)
          const at = times?.lastIndexOf(nowMs) ?? -1
          if (times && at >= 0) times.splice(at, 1)
        }
      },
    }
  }

  /** How many keys are held (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.failures.size
  }

  private waitMs(key: string, limit: number, nowMs: number): number {
    const recent = this.recent(key, nowMs)
    if (recent.length < limit) return 0
    return recent[recent.length - limit]! + this.options.windowMs - nowMs
  }

  private record(key: string, keep: number, nowMs: number): void {
    const recent = this.recent(key, nowMs)
    recent.push(nowMs)
    // Re-inserting moves the key to the end, so the Map's order is least recently failed first.
    this.failures.delete(key)
    this.failures.set(key, recent.slice(-keep))
    while (this.failures.size > this.options.maxKeys) this.failures.delete(this.failures.keys().next().value!)
  }

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.options.windowMs)
    if (times.length === 0) this.failures.delete(key)
    return times
  }
}
