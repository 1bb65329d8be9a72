/** The subscriber's contact fields (phone, postal address) and the operators' notes, as requests give them. */
import { z } from 'zod'
import { isSafeText, UNSAFE_TEXT_MESSAGE } from './safe-text.js'

export const PHONE_MESSAGE =
  'must be an international number: + and the country code, 8 to 15 digits in all (e.g. +254 712 345 678)'

/** E.164: `+` then 8–15 digits. Spaces and dashes people type are dropped; anything else is refused. */
export const Phone = z
  .string()
  .max(40, PHONE_MESSAGE)
  .transform((s) => s.replace(/[\s-]/g, ''))
  .refine((s) => /^\+[0-9]{8,15}$/.test(s), PHONE_MESSAGE)

export const POSTAL_ADDRESS_MAX = 500
export const NOTES_MAX = 2000

/**
 * Free text that may span lines: line ends become `\n`, the text is trimmed, and the characters
 * safe-text refuses are refused here too, tabs and line ends aside.
 */
export function multiLineText(max: number) {
  return z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .refine((s) => s.length > 0, 'must not be empty')
    .refine((s) => s.length <= max, `must be at most ${max} characters`)
    .refine((s) => isSafeText(s.replace(/[\n\t]/g, ' ')), UNSAFE_TEXT_MESSAGE)
}

export const PostalAddress = multiLineText(POSTAL_ADDRESS_MAX)
export const Notes = multiLineText(NOTES_MAX)

/** Why an operator suspends: shown to the customer, so one line. */
export const SuspendSubscriber = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1, 'say why the subscriber is suspended')
    .max(200)
    .refine(isSafeText, UNSAFE_TEXT_MESSAGE),
})
