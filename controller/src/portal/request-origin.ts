/** Where a request came from, as far as the portal needs to know: same site or not, https or not, which client. */
import type { Context } from 'hono'

/**
 * True when a browser says the request was made by another site: `Sec-Fetch-Site` other than
 * `same-origin` or `none` (typed in, bookmarked), or, from a browser that does not send
 * `Sec-Fetch-Site`, an `Origin` whose host is not ours (`null` included). Sibling subdomains
 * (`same-site`) count as other sites. A request with neither header is not from a current browser
 * and passes; the CSRF token still guards it.
 */
export function isCrossSite(c: Context): boolean {
  const site = c.req.header('Sec-Fetch-Site')
  // When the browser says where the request came from, that is the answer: under a no-referrer
  // policy it sends `Origin: null` even on a same-origin form post.
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = c.req.header('Origin')
  if (origin === undefined) return false
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    return true
  }
  if (originHost === '') return true
  // Behind a reverse proxy the public host may arrive as X-Forwarded-Host; a page on another
  // site cannot set that header on a simple form post, so accepting it opens nothing.
  const forwarded = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim()
  return originHost !== new URL(c.req.url).host && originHost !== forwarded
}

/** Whether the browser reached us over https, directly or through a proxy that says so. */
export function cameOverHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true
  return c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase() === 'https'
}

/** The peer address from @hono/node-server's bindings (undefined elsewhere, such as `app.request` without env). */
export function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}
