/** Kenyan mobile numbers as Daraja takes them: 2547XXXXXXXX or 2541XXXXXXXX. */
import { fieldRefusal } from '../../domain/refusal.js'

/**
 * The number in Daraja's form, from what a customer types: +254 7…, 254 7…, 07…, 01… (spaces,
 * dashes and dots allowed). Anything else is refused in plain words, before any money moves.
 */
export function mpesaPhone(typed: string | undefined): string {
  const digits = (typed ?? '').trim().replace(/[\s.()-]/g, '')
  const local = /^(?:\+?254|0)([17]\d{8})$/.exec(digits)
  if (!local) {
    throw fieldRefusal(
      'invalid_request',
      'phone',
      'phone: give the Safaricom number that pays, as 07XX XXX XXX, 01XX XXX XXX or +254 7XX XXX XXX',
      'give the Safaricom number that pays, as 07XX XXX XXX, 01XX XXX XXX or +254 7XX XXX XXX',
    )
  }
  return `254${local[1]}`
}
