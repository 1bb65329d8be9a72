/** The text an SMS carries: the rendered message's plain text, well formed and at most 1600 characters. */
import type { RenderedMessage } from '../channel.js'

/**
 * Twilio's limit for one message body (about ten segments); other gateways split long texts
 * themselves or refuse them, so capd never hands over more than this.
 */
export const SMS_TEXT_MAX = 1600

/** Half of a surrogate pair standing alone: not text, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export function smsText(message: RenderedMessage): string {
  const text = message.text.trim().replace(LONE_SURROGATE, '\uFFFD')
  if (text.length <= SMS_TEXT_MAX) return text
  // Cut before a pair rather than through it, and say the text goes on.
  let end = SMS_TEXT_MAX - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}
