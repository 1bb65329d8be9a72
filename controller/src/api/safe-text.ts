/** One refinement for every name and free-text field: no characters that hide, reorder or forge what a field shows. */
import type { z } from 'zod'

/**
 * Controls (Cc: NUL, ESC, newlines, C1), the bidirectional embedding, override and isolate
 * controls (U+202A–202E, U+2066–2069: "gpj.exe" shown as "exe.jpg"), non-characters (U+FDD0–FDEF,
 * U+xFFFE/xFFFF) and lone surrogates. Letters of every script, emoji and right-to-left text pass.
 */
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069\p{Noncharacter_Code_Point}\p{Cs}]/u

export const UNSAFE_TEXT_MESSAGE =
  'must not contain control, bidirectional-control or non-character code points'

/** True when `text` has none of the refused characters. */
export const isSafeText = (text: string) => !UNSAFE.test(text)

/** `schema` that also refuses the characters above, with a message naming none of them. */
export function safeText<S extends z.ZodType<string, string>>(schema: S) {
  return schema.refine(isSafeText, UNSAFE_TEXT_MESSAGE)
}
