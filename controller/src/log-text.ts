/** Text for one log line: whatever a peer sent, it cannot end the line, start a forged one, or hide itself. */

/** C0 and C1 controls, DEL, line/paragraph separators, bidi controls; and `\` so escapes stay unambiguous. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/gu

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' }

/** `text` with every unsafe character escaped (`\n`, `\u001b`, `\u202e`), so it stays one line and reads as it was. */
export function logText(text: string): string {
  return text.replace(UNSAFE, (ch) => NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
