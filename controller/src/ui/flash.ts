/**
 * One message carried across a POST → 303 → GET (post/redirect/get): set by the action, shown once
 * by the next page. A short-lived HttpOnly cookie; the text is escaped like any other when shown.
 * A refusal may carry the refused form's fields with it, so the page fills that form in again.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { keptFields, type PostedForm } from './form-refill.js'

export interface Flash {
  kind: 'ok' | 'error'
  text: string
  /** What was typed into the refused form (see form-refill.ts). */
  form?: PostedForm
}

/** The operator UI's messages and a customer's never mix: each has its own cookie and path. */
export type FlashScope = 'operator' | 'portal'

const COOKIES = {
  operator: { name: 'capd_flash', path: '/' },
  portal: { name: 'capd_portal_flash', path: '/portal' },
} as const

/** Browsers keep cookies up to about 4 KB; past this, the typed fields are dropped, never the message. */
const MAX_VALUE_CHARS = 2800

const encoded = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function setFlash(c: Context, scope: FlashScope, flash: Flash): void {
  const { name, path } = COOKIES[scope]
  const message = { kind: flash.kind, text: flash.text.slice(0, 1000) }
  const withForm = flash.form ? encoded({ ...message, form: flash.form }) : undefined
  const value = withForm && withForm.length <= MAX_VALUE_CHARS ? withForm : encoded(message)
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
      const form = postedFormIn(parsed.form)
      return { kind: parsed.kind, text: parsed.text, ...(form ? { form } : {}) }
    }
  } catch {}
  return undefined
}

/** The carried form, checked: a cookie is the client's to change. */
function postedFormIn(value: unknown): PostedForm | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { action, fields } = value as Partial<Record<keyof PostedForm, unknown>>
  if (typeof action !== 'string' || typeof fields !== 'object' || fields === null) return undefined
  return { action, fields: keptFields(fields as Record<string, unknown>) }
}
