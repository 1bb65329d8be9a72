/** Checks every amount against the controller's one currency. */
import { ApiError } from '../errors.js'
import type { DomainEnv } from './env.js'

export function requireCurrency(env: DomainEnv, currency: string, field: string): void {
  if (currency !== env.currency) {
    throw new ApiError(
      422,
      'currency_mismatch',
      `${field} is in ${currency}, but this controller bills in ${env.currency}`,
    )
  }
}
