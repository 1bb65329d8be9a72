/** Headers for every HTML page: a strict Content-Security-Policy (no inline script or style) and no caching. */
import type { Context, MiddlewareHandler } from 'hono'

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ')

export function setHtmlHeaders(c: Context): void {
  c.header('Content-Security-Policy', CSP)
  // Pages show one person's account or the operator's books: never kept by a shared cache.
  c.header('Cache-Control', 'no-store')
}

export function htmlPolicy(): MiddlewareHandler {
  return async function htmlPolicy(c, next) {
    await next()
    setHtmlHeaders(c)
  }
}
