/** After a fatal failure (the store can no longer write), every request is answered 503 until the process exits. */
import type { MiddlewareHandler } from 'hono'
import { STORE_FAILED_MESSAGE } from '../api/error-response.js'
import { ApiError } from '../errors.js'

/**
 * Memory then holds changes the disk may never get: a read would show them and a write would be
 * refused anyway, so nothing is served. The first failure is kept; later ones change nothing.
 */
export class FatalGate {
  private failure: Error | undefined

  get tripped(): Error | undefined {
    return this.failure
  }

  /** Returns true the first time only, so the caller starts its exit once. */
  trip(err: Error): boolean {
    if (this.failure) return false
    this.failure = err
    return true
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (this.failure) {
        c.header('Retry-After', '5')
        c.header('Connection', 'close')
        throw new ApiError(503, 'store_unavailable', STORE_FAILED_MESSAGE)
      }
      await next()
    }
  }
}
