/** Message sizes in UTF-8 bytes, cheaply where the answer is clear from the string's length. */

/** The UTF-8 size of `text`, computed exactly only when it could be near `max`. */
export function utf8Length(text: string, max: number): number {
  if (text.length > max) return text.length // at least one byte per UTF-16 unit
  if (text.length * 3 <= max) return text.length
  return new TextEncoder().encode(text).byteLength
}
