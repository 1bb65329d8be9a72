/** What a refused form post carries back to its page (see formAction): the typed fields, minus secrets and hidden keys. */
import type { Context } from 'hono'
import { CSRF_FIELD } from './csrf.js'
import { readForm } from './form-input.js'
import type { FieldError } from './form-refusal.js'
import { type FormFields, IDEMPOTENCY_FIELD } from './form-values.js'

/** The fields of one posted form, and the form's action path, so only that form is filled again. */
export interface PostedForm {
  action: string
  /** What was typed; absent when it did not fit the flash (the form shows its own values). */
  fields?: FormFields
  /** The bad fields, each shown beside its field (see form-check.ts). */
  problems?: FieldError[]
}

/**
 * Never carried: the CSRF token and the idempotency key must be fresh (the refused post had no
 * effect), and a password never goes into a cookie.
 */
const carried = (name: string) =>
  name !== CSRF_FIELD && name !== IDEMPOTENCY_FIELD && !name.toLowerCase().includes('password')

export function keptFields(fields: Readonly<Record<string, unknown>>): FormFields {
  return Object.fromEntries(
    Object.entries(fields).filter(
      (entry): entry is [string, string] => carried(entry[0]) && typeof entry[1] === 'string',
    ),
  )
}

/** The request's form as its page may show it again; none when it cannot be read (the refusal says why). */
export async function postedForm(c: Context): Promise<PostedForm | undefined> {
  try {
    return { action: c.req.path, fields: keptFields(await readForm(c)) }
  } catch {
    return undefined
  }
}

/** Whether a form's action attribute is the path that was posted (either may be percent-encoded). */
export function sameAction(a: string, b: string): boolean {
  return decoded(a) === decoded(b)
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
