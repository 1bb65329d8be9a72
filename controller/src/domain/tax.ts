/** Tax on a price: the net, tax and gross of one line, rounded half up to the minor unit. */
import type { Money } from '@capd/protocol'
import type { InvoiceLine, TaxRule } from '../store/entities.js'

const WHOLE_BP = 10_000n

/** `n / d` rounded half up, for non-negative integers. */
function divRound(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d)
}

export interface Taxed {
  net: Money
  tax: Money
  gross: Money
}

/** Splits (inclusive) or extends (exclusive) a price by its tax rule. */
export function applyTax(price: Money, rule: TaxRule): Taxed {
  const amount = BigInt(price.amount)
  const rate = BigInt(rule.rateBp)
  const net = rule.inclusive ? divRound(amount * WHOLE_BP, WHOLE_BP + rate) : amount
  const gross = rule.inclusive ? amount : amount + divRound(amount * rate, WHOLE_BP)
  const money = (n: bigint) => ({ amount: Number(n), currency: price.currency })
  return { net: money(net), tax: money(gross - net), gross: money(gross) }
}

/** What the customer pays for a price under a rule (the price itself when untaxed or inclusive). */
export function grossOf(price: Money, rule: TaxRule | undefined): Money {
  return rule ? applyTax(price, rule).gross : price
}

/** One invoice line for a priced item, with its tax when it has a rule. */
export function invoiceLine(description: string, price: Money, rule: TaxRule | undefined): InvoiceLine {
  if (!rule) return { description, quantity: 1, unitPrice: price, amount: price }
  const { net, tax, gross } = applyTax(price, rule)
  return { description, quantity: 1, unitPrice: price, amount: gross, net, tax, taxRule: rule }
}

/** Formats a rate for people: 1600 → "16%", 750 → "7.5%". */
export function ratePercent(rule: TaxRule): string {
  return `${(rule.rateBp / 100).toString()}%`
}
