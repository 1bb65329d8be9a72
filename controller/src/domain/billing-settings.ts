/** The ISP's invoicing choices (kept in the store's settings), with the defaults a new ISP gets. */

import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { putSetting } from './put-setting.js'

export interface BillingSettings {
  /** What a top-up paid first (card, mobile money) produces: a paid invoice, or a pro-forma when ordered that becomes an invoice when paid. */
  paidTopUps: 'invoice' | 'proforma'
  /** What an operator's top-up does by default: charge the account balance now, or add to the next invoice. */
  operatorTopUps: 'balance_now' | 'next_invoice'
}

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  paidTopUps: 'invoice',
  operatorTopUps: 'next_invoice',
}

const KEYS = { paidTopUps: 'billing.paidTopUps', operatorTopUps: 'billing.operatorTopUps' } as const

export async function billingSettings(tx: Tx): Promise<BillingSettings> {
  const paid = (await tx.settings.get(KEYS.paidTopUps))?.value
  const operator = (await tx.settings.get(KEYS.operatorTopUps))?.value
  return {
    paidTopUps: paid === 'proforma' ? 'proforma' : DEFAULT_BILLING_SETTINGS.paidTopUps,
    operatorTopUps: operator === 'balance_now' ? 'balance_now' : DEFAULT_BILLING_SETTINGS.operatorTopUps,
  }
}

export async function setBillingSettings(tx: Tx, env: DomainEnv, next: BillingSettings): Promise<void> {
  for (const [name, value] of [
    [KEYS.paidTopUps, next.paidTopUps],
    [KEYS.operatorTopUps, next.operatorTopUps],
  ] as const) {
    await putSetting(tx, env, name, value)
  }
}
