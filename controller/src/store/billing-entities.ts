/** The money records: orders, invoices (and pro-formas, credit notes), payments, the balance ledger. */
import type { Money } from '@capd/protocol'

/** How a payment reached the ISP. `balance` moves money already on the account. */
export type PaymentMethod = 'balance' | 'card' | 'mpesa' | 'cash' | 'bank_transfer' | 'other'

/** Who collects an order's money: a payment provider, the account balance, or the ISP's office. */
export type OrderProvider = 'stripe' | 'mpesa' | 'offline' | 'balance'

/**
 * - `awaiting_payment`: created; the provider has (or will) ask the customer to pay.
 * - `applied`: paid, and what it buys is applied (top-up made or balance credited), in one transaction.
 * - `failed`: the provider said the payment failed or was cancelled (a late confirmed payment still applies).
 * - `expired`: the provider's checkout expired unpaid.
 */
export type OrderStatus = 'awaiting_payment' | 'applied' | 'failed' | 'expired'

/** A tax on a price: a rate in basis points (1600 = 16 %), included in the price or added to it. */
export interface TaxRule {
  readonly rateBp: number
  readonly inclusive: boolean
}

/** What an order buys, fixed when it is placed: a later price change does not touch it. */
export type OrderItem =
  | {
      readonly kind: 'topup'
      readonly topUpPlanId: string
      readonly description: string
      readonly bytes: number
      /** The plan's listed price (tax included or not, per `tax`). */
      readonly price: Money
      readonly validityDays?: number
      readonly tax?: TaxRule
    }
  | { readonly kind: 'balance'; readonly description: string }

/** Something a customer (or an operator for them) means to pay for before it is applied. */
export interface Order {
  readonly id: string
  readonly subscriberId: string
  readonly item: OrderItem
  /** What the customer pays, tax included. */
  readonly amount: Money
  readonly provider: OrderProvider
  readonly status: OrderStatus
  readonly createdAtMs: number
  readonly actor: string
  /** The provider's handle for the payment (Stripe Checkout Session id, M-Pesa CheckoutRequestID). */
  readonly providerRef?: string
  /** Where the customer pays (Stripe Checkout). */
  readonly checkoutUrl?: string
  /** When the provider accepted the request to collect (recordCheckout): absent = not asked, or no answer kept. */
  readonly checkoutAtMs?: number
  /** Hex SHA-256 of the secret in the order's callback path (M-Pesa callbacks carry no signature). */
  readonly callbackHash?: string
  /** The unpaid pro-forma issued for the order, if any. */
  readonly proformaId?: string
  readonly paidAtMs?: number
  readonly paymentId?: string
  readonly topUpId?: string
  readonly invoiceId?: string
  /** When it became failed or expired, and why (plain language, for the operator). */
  readonly closedAtMs?: number
  readonly closedReason?: string
  /** A provider said it was paid a different amount: nothing applied; the operator looks into it. */
  readonly mismatch?: { readonly amount: Money; readonly atMs: number; readonly ref: string }
}

/** A provider notification already handled, so a replay of it does nothing. Id: `<provider>:<event id>`. */
export interface PaymentEvent {
  readonly id: string
  readonly provider: OrderProvider
  readonly type: string
  readonly orderId?: string
  readonly receivedAtMs: number
  /** What it did: `applied`, `already_applied`, `mismatch`, `ignored`, `expired`, `failed`. */
  readonly outcome: string
}

/** The three numbered series; each counts from 1 every calendar year, without gaps. */
export type DocumentKind = 'invoice' | 'proforma' | 'credit_note'

export interface InvoiceLine {
  readonly description: string
  readonly quantity: number
  readonly unitPrice: Money
  /** The line's total, tax included. */
  readonly amount: Money
  /** Present when the line is taxed. */
  readonly net?: Money
  readonly tax?: Money
  readonly taxRule?: TaxRule
}

/**
 * An invoice, a pro-forma (a request to pay; never revenue) or a credit note (reverses an invoice;
 * its amounts are positive and mean money owed back). `kind` absent in older rows = invoice.
 */
export interface Invoice {
  readonly id: string
  readonly kind?: DocumentKind
  /** `INV-2026-000001`, `PRO-2026-000001`, `CN-2026-000001` (older rows: `INV-000001`). */
  readonly number: string
  readonly subscriberId: string
  readonly issuedAtMs: number
  readonly lines: readonly InvoiceLine[]
  /** Totals of the lines. */
  readonly net?: Money
  readonly tax?: Money
  readonly total: Money
  /**
   * `open`: not (fully) paid. `paid`: payments allocated cover the total (a pro-forma: paid and
   * replaced by its invoice). `void`: reversed by a credit note (a pro-forma: cancelled).
   */
  readonly status: 'open' | 'paid' | 'void'
  /** Sum of payments allocated to it; absent = 0 (or the total for older paid rows). */
  readonly amountPaid?: Money
  readonly paidAtMs?: number
  readonly paidWith?: PaymentMethod
  readonly topUpId?: string
  readonly orderId?: string
  /** An invoice made from a pro-forma names it; the pro-forma names the invoice. */
  readonly proformaId?: string
  readonly invoiceId?: string
  /** A voided invoice names its credit note; a credit note names the invoice (`invoiceId`). */
  readonly creditNoteId?: string
  readonly voidedAtMs?: number
  readonly voidReason?: string
}

/** Money received (or moved from the balance), allocated to invoices or credited to the balance. */
export interface Payment {
  readonly id: string
  readonly subscriberId: string
  readonly amount: Money
  readonly reference?: string
  readonly createdAtMs: number
  readonly actor: string
  /** Absent in older rows (= money credited to the balance by an operator). */
  readonly method?: PaymentMethod
  readonly orderId?: string
  /** The provider's id for it (Stripe payment intent or session, M-Pesa receipt number). */
  readonly providerRef?: string
  /** Invoices it paid; what is left over is credited to the balance. */
  readonly allocations?: readonly { readonly invoiceId: string; readonly amount: Money }[]
}

/** One movement of a subscriber's account balance. */
export interface LedgerEntry {
  readonly id: string
  readonly subscriberId: string
  readonly atMs: number
  readonly kind: 'payment' | 'topup_charge' | 'refund' | 'invoice_payment'
  /** Signed: credits positive, charges negative. */
  readonly amount: Money
  readonly balanceAfter: Money
  readonly ref: string
}
