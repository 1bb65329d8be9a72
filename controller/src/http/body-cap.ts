/** Request body limits for the whole app: a body over its limit is refused with 413 before any handler parses it. */
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'

/** Every route's limit unless it has a smaller one. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024
/** The login forms (a name and a password): nobody needs more, and they take anyone's body. */
export const LOGIN_BODY_LIMIT_BYTES = 8 * 1024
/** The logo uploads (a 200 KB image, with the form's fields and multipart framing). */
export const LOGO_BODY_LIMIT_BYTES = 256 * 1024
export const LOGO_UPLOAD_PATHS = ['/settings/branding/logo', '/api/v1/settings/branding/logo'] as const
/**
 * A bulk subscriber import (some 20,000 rows of JSON): the API's largest body, read only once the
 * caller's API token is known (the route caps it itself, see operator-api.ts), so nobody else can
 * make the controller hold megabytes.
 */
export const IMPORT_BODY_LIMIT_BYTES = 8 * 1024 * 1024
export const IMPORT_PATH = '/api/v1/subscribers/import'

/**
 * Reads the body into memory up to `maxBytes` and hands the handlers that copy; past the limit it
 * stops reading, cancels the rest and answers 413. A declared Content-Length over the limit is
 * refused without reading. A smaller declared length is not believed (a hand-made Request or
 * another runtime need not enforce it): bytes are counted as they come. hono's bodyLimit trusts
 * Content-Length, so it is not used here. Requests without a body (GET, HEAD) pass untouched.
 */
export function bodyCap(
  defaultMaxBytes: number,
  /** Exact paths that take a different limit (the logo uploads). */
  perPath: Readonly<Record<string, number>> = {},
  /** Exact paths whose route caps the body itself, after authentication (the import). */
  cappedLater: readonly string[] = [],
): MiddlewareHandler {
  for (const limit of [defaultMaxBytes, ...Object.values(perPath)]) {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error('bodyCap: maxBytes must be a whole number')
  }
  return async function bodyCap(c, next) {
    const body = c.req.raw.body
    if (!body || cappedLater.includes(c.req.path)) return next()
    const maxBytes = Object.hasOwn(perPath, c.req.path) ? perPath[c.req.path]! : defaultMaxBytes
    const declared = Number(c.req.header('content-length'))
    const bytes = declared > maxBytes ? undefined : await readAtMost(body, maxBytes)
    if (!bytes) {
      await body.cancel().catch(() => {})
      throw new ApiError(413, 'payload_too_large', `the request body is over ${maxBytes} bytes`)
    }
    c.req.raw = new Request(c.req.raw, { body: bytes })
    return next()
  }
}

/** The stream's bytes, or undefined as soon as there are more than `maxBytes`. */
async function readAtMost(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) return undefined
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
