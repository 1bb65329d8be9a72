/** The HTTP layer's error type (auth, body limits, routing, form reading): a status, a stable code and a message for people. Domain refusals are `Refusal` (domain/refusal.ts). */
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
