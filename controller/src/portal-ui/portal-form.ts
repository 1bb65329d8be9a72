/** Reading a portal form: checked by a zod schema, refusals in plain sentences for the customer. */
import type { Context } from 'hono'
import type { z } from 'zod'
import { checkedAsSentences, readForm } from '../ui/form-input.js'

/** The fields, or a 400 whose message is the schema's own messages (written for customers). */
export async function readPortalForm<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return checkedAsSentences(schema, await readForm(c))
}

/** Said when a form lacks what the page always puts in it: it is old, or not ours. */
export const STALE_FORM = 'The form is out of date. Reload the page and try again.'
