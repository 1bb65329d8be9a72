/** Checks every amount against the controller's one currency. */

import type { DomainEnv } from './env.js'
import { Refusal } from './refusal.js'

export function requireCurrency(env: DomainEnv, currency: string, field: string): void {
  if (currency !== env.currency) {
    throw new Refusal(
      'currency_mismatch',
      `${field} is in ${currency}, but this controller bills in ${env.currency}`,
    )
  }
}
