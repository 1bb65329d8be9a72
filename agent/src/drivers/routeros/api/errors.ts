/** Why a RouterOS API call failed; `retryable` separates "try again later" from "a person must act". */

export abstract class RouterOsError extends Error {
  /** Trying again (on this or a new connection) can succeed without anyone changing anything. */
  abstract readonly retryable: boolean
}

/** The router refused the command (`!trap`): bad argument, no such item, … */
export class RouterOsTrap extends RouterOsError {
  override readonly name = 'RouterOsTrap'
  readonly retryable = false
  constructor(
    /** The router's own words, e.g. `no such item`. */
    readonly routerMessage: string,
    /** RouterOS trap category (0 missing item or command … 7 `:return` value), if it sent one. */
    readonly category: number | undefined,
    readonly command: string,
  ) {
    super(`${command}: ${routerMessage}${category === undefined ? '' : ` (category ${category})`}`)
  }
}

/** No `!done` within the call's timeout; the client sent `/cancel` for it. */
export class RouterOsTimeout extends RouterOsError {
  override readonly name = 'RouterOsTimeout'
  readonly retryable = true
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    /** The `.tag` the command was sent with (and `/cancel`ed by). */
    readonly tag: string,
  ) {
    super(`${command}: no reply within ${timeoutMs} ms`)
  }
}

/** The connection ended (reset, closed, `!fatal`, protocol error, `close()`) before the reply did. */
export class RouterOsClosed extends RouterOsError {
  override readonly name = 'RouterOsClosed'
  readonly retryable = true
}

/** TCP, TLS or the login exchange did not complete (refused, unreachable, bad certificate, timeout). */
export class RouterOsConnectError extends RouterOsError {
  override readonly name = 'RouterOsConnectError'
  readonly retryable: boolean
  /** `retryable: false` for what only a person can fix: a certificate that does not verify. */
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause })
    this.retryable = options.retryable ?? true
  }
}

/** The router rejected the user name or password. Terminal: retrying cannot help and may lock the user out. */
export class RouterOsLoginError extends RouterOsError {
  override readonly name = 'RouterOsLoginError'
  readonly retryable = false
}
