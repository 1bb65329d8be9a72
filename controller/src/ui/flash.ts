/**
 * One message carried across a POST → 303 → GET (post/redirect/get): set by the action, shown once
 * by the next page. A short-lived HttpOnly cookie; the text is escaped like any other when shown.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

export interface Flash {
  kind: 'ok' | 'error'
  text: string
}

/** The operator UI's messages and a customer's never mix: each has its own cookie and path. */
export type FlashScope = 'operator' | 'portal'

const COOKIES = {
  operator: { name: 'capd_flash', path: '/' },
  portal: { name: 'capd_portal_flash', path: '/portal' },
} as const

export function setFlash(c: Context, scope: FlashScope, flash: Flash): void {
  const { name, path } = COOKIES[scope]
  const value = Buffer.from(JSON.stringify({ kind: flash.kind, text: flash.text.slice(0, 1000) })).toString(
    'base64url',
  )
  setCookie(c, name, value, { httpOnly: true, sameSite: 'Lax', path, maxAge: 60 })
}

/** The pending message, if any; reading it clears it. */
export function takeFlash(c: Context, scope: FlashScope): Flash | undefined {
  const { name, path } = COOKIES[scope]
  const value = getCookie(c, name)
  if (value === undefined) return undefined
  deleteCookie(c, name, { path })
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Flash>
    if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.text === 'string') {
      return { kind: parsed.kind, text: parsed.text }
    }
  } catch {}
  return undefined
}
