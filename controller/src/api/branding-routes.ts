/**
 * The ISP's branding for API clients. The text is JSON (`PUT /settings/branding`, every field:
 * one left out is cleared); the logo is the image itself as the body of `PUT
 * /settings/branding/logo` (Content-Type image/png or image/jpeg, at most 200 KB), not base64.
 */
import {
  type Branding,
  BrandingInput,
  branding,
  logoPath,
  removeLogo,
  setBranding,
  setLogo,
} from '../domain/branding.js'
import { ApiError } from '../errors.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { readBody } from './validate.js'

export function brandingView(b: Branding) {
  return {
    name: b.name,
    named: b.named,
    supportEmail: b.supportEmail ?? null,
    supportPhone: b.supportPhone ?? null,
    postalAddress: b.postalAddress ?? [],
    taxId: b.taxId ?? null,
    logo: b.logo
      ? {
          url: logoPath(b.logo),
          contentType: b.logo.contentType,
          widthPx: b.logo.widthPx,
          heightPx: b.logo.heightPx,
          bytes: b.logo.bytes.byteLength,
        }
      : null,
  }
}

export function brandingRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  const { store, env } = deps
  const read = () => store.peek(async (tx) => brandingView(await branding(tx)))

  r.add(
    { method: 'get', path: '/settings/branding', summary: "The ISP's branding", status: 200 },
    async (c) => c.json(await read()),
  )

  r.add(
    {
      method: 'put',
      path: '/settings/branding',
      summary: "Set the ISP's name, support e-mail and phone, postal address (lines) and tax id",
      body: BrandingInput,
      status: 200,
    },
    async (c) => {
      const body = await readBody(c)
      const saved = await store.transact((tx) => setBranding(tx, env, c.var.actor, body))
      return c.json(brandingView(saved))
    },
  )

  r.add(
    {
      method: 'put',
      path: '/settings/branding/logo',
      summary: 'Replace the logo: the PNG or JPEG file as the body (at most 200 KB)',
      status: 200,
    },
    async (c) => {
      const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
      if (type !== 'image/png' && type !== 'image/jpeg') {
        throw new ApiError(415, 'unsupported_media_type', 'send the logo as image/png or image/jpeg')
      }
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      await store.transact((tx) => setLogo(tx, env, c.var.actor, bytes))
      return c.json(await read())
    },
  )

  r.add(
    { method: 'delete', path: '/settings/branding/logo', summary: 'Remove the logo', status: 200 },
    async (c) => {
      await store.transact((tx) => removeLogo(tx, env, c.var.actor))
      return c.json(await read())
    },
  )
}
