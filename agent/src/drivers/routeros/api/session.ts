/**
 * One router's API for a driver: at most `concurrency` calls at once, each with its timeout, over a
 * connection that is (re)opened on demand — the first call after a drop reconnects at once, then
 * failed attempts space out with jittered exponential backoff. During the wait calls fail fast
 * instead of queueing behind a dead router; the driver's next poll simply tries again. Bad
 * credentials or a certificate that does not verify are terminal: the session stops dialing and
 * every call rejects with that error until the owner builds a new session from fixed config.
 */
import PQueue from 'p-queue'
import { type BackoffOptions, backoffDelayMs } from './backoff.js'
import {
  connectRouterOs,
  type RouterOsCaller,
  type RouterOsConnection,
  type RouterOsConnectOptions,
} from './client.js'
import {
  RouterOsClosed,
  RouterOsConnectError,
  RouterOsError,
  RouterOsTimeout,
  RouterOsTrap,
} from './errors.js'
import type { RouterOsCallOptions } from './sentence.js'

export interface RouterOsSessionOptions extends RouterOsConnectOptions {
  /** Calls in flight at once on the router (default 4); the rest wait their turn. */
  concurrency?: number
  backoff?: BackoffOptions
  /**
   * Timeouts in a row after which the connection is dropped and the next call reconnects
   * (default 2): a router that went away without a RST looks exactly like this.
   */
  maxConsecutiveTimeouts?: number
  /** For tests: how to connect, what time it is, the jitter source. */
  connect?: (options: RouterOsConnectOptions) => Promise<RouterOsConnection>
  now?: () => number
  random?: () => number
}

export type RouterOsSessionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'failed' | 'closed'

export interface RouterOsSession extends RouterOsCaller {
  /** Rejects what is queued or running and closes the connection; the session cannot be reused. */
  close(): Promise<void>
  readonly state: RouterOsSessionState
  /** Why the last connection attempt failed, while the session is `waiting` or `failed`. */
  readonly lastError: Error | undefined
}

class Session implements RouterOsSession {
  readonly #options: RouterOsSessionOptions
  readonly #queue: PQueue
  readonly #connect: (options: RouterOsConnectOptions) => Promise<RouterOsConnection>
  readonly #now: () => number
  #connection: RouterOsConnection | undefined
  #dialing: Promise<RouterOsConnection> | undefined
  #failures = 0
  #retryAtMs = 0
  #lastError: Error | undefined
  #terminal: RouterOsError | undefined
  #timeouts = 0
  #closed = false

  constructor(options: RouterOsSessionOptions) {
    this.#options = options
    this.#queue = new PQueue({ concurrency: options.concurrency ?? 4 })
    this.#connect = options.connect ?? connectRouterOs
    this.#now = options.now ?? Date.now
  }

  get state(): RouterOsSessionState {
    if (this.#closed) return 'closed'
    if (this.#terminal) return 'failed'
    if (this.#connection?.isOpen) return 'open'
    if (this.#dialing) return 'connecting'
    return this.#retryAtMs > this.#now() ? 'waiting' : 'idle'
  }

  get lastError(): Error | undefined {
    return this.#connection?.isOpen ? undefined : this.#lastError
  }

  async run(command: string, args?: Readonly<Record<string, string>>, options?: RouterOsCallOptions) {
    return (await this.call(command, args, options)).rows
  }

  call(command: string, args?: Readonly<Record<string, string>>, options?: RouterOsCallOptions) {
    return this.#queue.add(async () => {
      const connection = await this.#open()
      try {
        const reply = await connection.call(command, args, options)
        this.#timeouts = 0
        return reply
      } catch (error) {
        if (error instanceof RouterOsTrap) this.#timeouts = 0
        const limit = this.#options.maxConsecutiveTimeouts ?? 2
        if (error instanceof RouterOsTimeout && ++this.#timeouts >= limit) {
          this.#timeouts = 0
          void connection.close()
        }
        throw error
      }
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#dialing?.catch(() => {})
    await this.#connection?.close()
    await this.#queue.onIdle()
  }

  #open(): Promise<RouterOsConnection> {
    if (this.#closed) return Promise.reject(new RouterOsClosed('the RouterOS session is closed'))
    if (this.#terminal) return Promise.reject(this.#terminal)
    if (this.#connection?.isOpen) return Promise.resolve(this.#connection)
    this.#dialing ??= this.#dial().finally(() => {
      this.#dialing = undefined
    })
    return this.#dialing
  }

  async #dial(): Promise<RouterOsConnection> {
    const waitMs = this.#retryAtMs - this.#now()
    if (waitMs > 0) {
      const last = this.#lastError?.message ?? 'unknown error'
      throw new RouterOsConnectError(
        `${this.#options.host}: not reconnecting for another ${waitMs} ms after ${this.#failures} failed attempt(s); last: ${last}`,
        { cause: this.#lastError },
      )
    }
    let connection: RouterOsConnection
    try {
      connection = await this.#connect(this.#options)
    } catch (error) {
      this.#failures++
      this.#lastError = error as Error
      this.#retryAtMs =
        this.#now() + backoffDelayMs(this.#failures, this.#options.backoff, this.#options.random)
      if (error instanceof RouterOsError && !error.retryable) this.#terminal = error
      throw error
    }
    this.#failures = 0
    this.#retryAtMs = 0
    this.#timeouts = 0
    if (this.#closed) {
      await connection.close()
      throw new RouterOsClosed('the RouterOS session is closed')
    }
    this.#connection = connection
    return connection
  }
}

export function createRouterOsSession(options: RouterOsSessionOptions): RouterOsSession {
  return new Session(options)
}
