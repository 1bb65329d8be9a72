/**
 * `GET /brand/logo-<hash>.<png|jpg>`: the ISP's logo, for anyone (the portal's login page shows it).
 * The URL changes with the image, so it is cached for good; an old URL answers 404.
 */
import { Hono } from 'hono'
import { branding, logoPath } from '../domain/branding.js'
import { ApiError } from '../errors.js'
import type { Store } from '../store/store.js'

export function logoRoutes(store: Store): Hono {
  const app = new Hono()
  app.get('/:file', async (c) => {
    const logo = await store.peek(async (tx) => (await branding(tx)).logo)
    if (!logo || logoPath(logo) !== `/brand/${c.req.param('file')}`) {
      throw new ApiError(404, 'not_found', 'no such logo')
    }
    return c.body(Buffer.from(logo.bytes), 200, {
      // The type comes from the checked magic bytes, never from the upload's claim; nosniff keeps it so.
      'Content-Type': logo.contentType,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'public, max-age=31536000, immutable',
      'Content-Security-Policy': "default-src 'none'",
    })
  })
  return app
}
