/** Headers for every HTML page: a strict Content-Security-Policy (no inline script or style) and no caching. */
import { createHash } from 'node:crypto'
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

/** The inline style attributes a response may use, by hash (see allowStyleAttributes). */
const styleAttributes = new WeakMap<Request, readonly string[]>()

/**
 * Lets this page use exactly these `style="…"` values and no other inline style: an e-mail's
 * preview (a sandboxed `srcdoc` frame takes the page's policy) shows the e-mail's own styles.
 */
export function allowStyleAttributes(c: Context, styles: readonly string[]): void {
  styleAttributes.set(c.req.raw, styles)
}

const hash = (style: string) => `'sha256-${createHash('sha256').update(style).digest('base64')}'`

function policyOf(c: Context): string {
  const styles = styleAttributes.get(c.req.raw)
  if (!styles?.length) return CSP
  return `${CSP}; style-src-attr 'unsafe-hashes' ${[...new Set(styles)].map(hash).join(' ')}`
}

export function setHtmlHeaders(c: Context): void {
  c.header('Content-Security-Policy', policyOf(c))
  // Pages show one person's account or the operator's books: never kept by a shared cache.
  c.header('Cache-Control', 'no-store')
}

export function htmlPolicy(): MiddlewareHandler {
  return async function htmlPolicy(c, next) {
    await next()
    setHtmlHeaders(c)
  }
}
