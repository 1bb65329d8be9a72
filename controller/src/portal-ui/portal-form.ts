/** Reading a portal form: checked by a zod schema, refusals in plain sentences for the customer. */
import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from '../errors.js'
import { readForm } from '../ui/form-input.js'

/** The fields, or a 400 whose message is the schema's own messages (written for customers). */
export async function readPortalForm<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const result = schema.safeParse(await readForm(c))
  if (result.success) return result.data
  throw new ApiError(400, 'invalid_request', result.error.issues.map((i) => i.message).join(' '))
}

/** Said when a form lacks what the page always puts in it: it is old, or not ours. */
export const STALE_FORM = 'The form is out of date. Reload the page and try again.'
