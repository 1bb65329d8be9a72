/** The customer portal's pages under /portal (phone first): login, remaining data, buy a top-up, history. */
import { Hono } from 'hono'
import type { ApiDeps } from '../api/app-env.js'
import type { PortalOptions } from '../portal/portal-api.js'

export function portalPages(_deps: ApiDeps, _options: PortalOptions = {}): Hono {
  return new Hono()
}
