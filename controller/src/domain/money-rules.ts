/** Checks every amount against the controller's one currency. */

import type { DomainEnv } from './env.js'
import { fieldRefusal } from './refusal.js'

/** Refuses money in another currency, as a refusal about `field` (a form marks that field). */
export function requireCurrency(env: DomainEnv, currency: string, field: string): void {
  if (currency !== env.currency) {
    throw fieldRefusal(
      'currency_mismatch',
      field,
      `${field} is in ${currency}, but this controller bills in ${env.currency}`,
      `Enter an amount in ${env.currency}: this controller bills in ${env.currency} only.`,
    )
  }
}
