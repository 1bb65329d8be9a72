/** The one error type of the controller: a status, a stable code and a message for people. */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(404, 'not_found', `${what} ${id} does not exist`)

export const conflict = (message: string) => new ApiError(409, 'conflict', message)

export const unprocessable = (code: string, message: string) => new ApiError(422, code, message)
