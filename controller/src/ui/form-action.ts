/**
 * A form post's outcome, post/redirect/get style: on success a 303 to the next page with a message;
 * a refusal (any 4xx ApiError) changes nothing and goes back with the reason. Anything else is a
 * bug and reaches the app's error handler.
 */
import type { Context } from 'hono'
import { ApiError } from '../errors.js'
import { type FlashScope, setFlash } from './flash.js'

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
    if (!(err instanceof ApiError) || err.status >= 500) throw err
    setFlash(c, scope, { kind: 'error', text: err.message })
    return c.redirect(back, 303)
  }
}
