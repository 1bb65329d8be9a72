/**
 * A form post's outcome, post/redirect/get style: on success a 303 to the next page with a message;
 * a refusal (a domain refusal or any 4xx ApiError) changes nothing and goes back with the reason and what was typed.
 * A refusal about fields (a FormRefusal, see form-check.ts, or a domain fieldRefusal) is shown beside
 * each of those fields, the banner pointing at them. Anything else is a bug and reaches the app's error handler.
 */
import type { Context } from 'hono'
import { clientRefusal, type HttpRefusal } from '../api/refusal-status.js'
import { type Flash, type FlashScope, setFlash } from './flash.js'
import { postedForm } from './form-refill.js'
import { checkFieldsText, type FieldError, fieldErrorsOf } from './form-refusal.js'

export interface ActionResult {
  /** Where to go next; by default back where the form was. */
  to?: string
  message: string
}

export async function formAction(
  c: Context,
  scope: FlashScope,
  back: string,
  run: () => Promise<ActionResult>,
): Promise<Response> {
  try {
    const result = await run()
    setFlash(c, scope, { kind: 'ok', text: result.message })
    return c.redirect(result.to ?? back, 303)
  } catch (err) {
    const refusal = clientRefusal(err)
    if (!refusal) throw err
    return refused(c, scope, back, refusal, fieldErrorsOf(err))
  }
}

/**
 * Back to `back` with the refusal's reason, and the posted fields so that form comes back filled in;
 * with `problems`, each is shown beside its field and the banner says to check them.
 */
export async function refused(
  c: Context,
  scope: FlashScope,
  back: string,
  err: HttpRefusal,
  problems: readonly FieldError[] = [],
): Promise<Response> {
  const form = await postedForm(c)
  // Marks need the form they belong to; without it (an unreadable post) the reason stands alone.
  const marked = form && problems.length > 0
  const flash: Flash = marked
    ? { kind: 'error', text: checkFieldsText(problems.length), form: { ...form, problems: [...problems] } }
    : { kind: 'error', text: err.message, ...(form ? { form } : {}) }
  setFlash(c, scope, flash)
  return c.redirect(back, 303)
}
