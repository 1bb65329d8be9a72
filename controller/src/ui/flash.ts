/**
 * One message carried across a POST → 303 → GET (post/redirect/get): set by the action, shown once
 * by the next page. A short-lived HttpOnly cookie; the text is escaped like any other when shown.
 * A refusal may carry the refused form's fields with it, so the page fills that form in again, and
 * the problem of each bad field, so the page shows it beside that field.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { keptFields, type PostedForm } from './form-refill.js'
import type { FieldError } from './form-refusal.js'

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

/**
 * Browsers keep cookies up to about 4 KB; past this, the typed fields are dropped first, then the
 * field problems (their messages then join the banner), never the message.
 */
const MAX_VALUE_CHARS = 2800

/** More problems than a form has fields, or longer than we write them, are not ours. */
const MAX_PROBLEMS = 30
const MAX_PROBLEM_CHARS = 300

const encoded = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function setFlash(c: Context, scope: FlashScope, flash: Flash): void {
  const { name, path } = COOKIES[scope]
  const message = { kind: flash.kind, text: flash.text.slice(0, 1000) }
  const form = flash.form
  const problems = form?.problems ?? []
  const candidates = form
    ? [
        { ...message, form },
        { ...message, form: { action: form.action, problems } },
        problems.length > 0
          ? {
              ...message,
              text: problems
                .map((p) => p.message)
                .join(' ')
                .slice(0, 1000),
            }
          : message,
      ]
    : [message]
  const value = candidates.map(encoded).find((v) => v.length <= MAX_VALUE_CHARS) ?? encoded(message)
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
  const { action, fields, problems } = value as Partial<Record<keyof PostedForm, unknown>>
  if (typeof action !== 'string') return undefined
  const typed =
    typeof fields === 'object' && fields !== null ? keptFields(fields as Record<string, unknown>) : undefined
  const marks = problemsIn(problems)
  return { action, ...(typed ? { fields: typed } : {}), ...(marks.length > 0 ? { problems: marks } : {}) }
}

function problemsIn(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return []
  return value
    .slice(0, MAX_PROBLEMS)
    .filter((p): p is FieldError => typeof p?.field === 'string' && typeof p?.message === 'string')
    .map((p) => ({ field: p.field, message: p.message.slice(0, MAX_PROBLEM_CHARS) }))
}
