/** Test helpers for code that refuses input with an ApiError: get the refusal, or fail when there was none. */
import { expect } from 'vitest'
import { ApiError } from '../errors.js'

/** The refusal, or a failure if the call did not refuse. */
export function refusal(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('not refused')
}

/** The 400's message, or a failure if the call did not refuse. */
export function refusalMessage(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(400)
    return (err as ApiError).message
  }
  throw new Error('expected a refusal')
}
