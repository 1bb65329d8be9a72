/**
 * How to pay at the ISP's office or by bank transfer, in the ISP's own words (a store setting).
 * Set, it offers customers the offline way to pay; empty, the offline way is not offered.
 */

import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { putSetting } from './put-setting.js'
import { Refusal } from './refusal.js'

const KEY = 'payments.offlineInstructions'

/** Enough for an account number, a branch and opening hours; not a document. */
export const MAX_INSTRUCTIONS_CHARS = 1000

/** The instructions, or undefined when the ISP has set none. */
export async function paymentInstructions(tx: Tx): Promise<string | undefined> {
  const value = (await tx.settings.get(KEY))?.value.trim()
  return value ? value : undefined
}

/** Sets (or, with empty text, clears) the instructions. */
export async function setPaymentInstructions(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  text: string,
): Promise<void> {
  const value = text.replace(/\r\n/g, '\n').trim()
  if (value.length > MAX_INSTRUCTIONS_CHARS) {
    throw new Refusal(
      'invalid_request',
      `payment instructions must be at most ${MAX_INSTRUCTIONS_CHARS} characters`,
    )
  }
  await putSetting(tx, env, KEY, value)
  await audit(tx, env, actor, 'settings.payment_instructions', 'settings', KEY, { set: value !== '' })
}
