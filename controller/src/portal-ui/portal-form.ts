/** Reading a portal form: checked by a zod schema, each bad field refused in a sentence for the customer. */
import type { Context } from 'hono'
import type { z } from 'zod'
import { FormCheck, type IssueMessage, STALE_FORM } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import type { FormFields } from '../ui/form-values.js'

/** Said when a form lacks what the page always puts in it: it is old, or not ours. */
export { STALE_FORM }

/**
 * The fields, or one refusal naming each bad one in `messages`' words (see FormCheck.schema);
 * `also` adds the checks between fields that the schema does not make.
 */
export async function readPortalForm<S extends z.ZodType>(
  c: Context,
  schema: S,
  messages: Readonly<Record<string, IssueMessage>>,
  also?: (fields: FormFields, check: FormCheck) => void,
): Promise<z.output<S>> {
  const fields = await readForm(c)
  const check = new FormCheck(STALE_FORM)
  const value = check.schema(schema, fields, messages)
  also?.(fields, check)
  return check.done(value)
}
