/** The CSRF token of HTML forms: a hidden field compared, in constant time, with the session's token. */
import { timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'

export const CSRF_FIELD = '_csrf'

/** Whether the posted form's CSRF field equals `expected`. */
export async function csrfMatches(c: Context, expected: string): Promise<boolean> {
  let sentValue: unknown
  try {
    sentValue = (await c.req.parseBody())[CSRF_FIELD]
  } catch {
    return false
  }
  const sent = Buffer.from(typeof sentValue === 'string' ? sentValue : '', 'utf8')
  const want = Buffer.from(expected, 'utf8')
  return sent.length === want.length && timingSafeEqual(sent, want)
}
