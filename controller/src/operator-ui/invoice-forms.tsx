/** The invoice page's forms: record a payment, pay from the balance, void (a pro-forma: cancel). */
import { amountDue } from '../domain/invoice-amounts.js'
import { kindOf } from '../domain/invoices.js'
import { money } from '../ui/format.js'
import { Field, Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import type { InvoicePageData } from './invoice-page-data.js'

export const METHOD_LABELS = {
  cash: 'Cash',
  bank_transfer: 'Bank transfer',
  card: 'Card (outside capd)',
  mpesa: 'M-Pesa (outside capd)',
  other: 'Other',
} as const

export function InvoiceActions({
  d,
  csrf,
  currency,
}: {
  d: InvoicePageData
  csrf: string
  currency: string
}) {
  const { invoice } = d
  const kind = kindOf(invoice)
  const base = `/invoices/${encodeURIComponent(invoice.id)}`
  if (kind === 'credit_note' || invoice.status === 'void') return null
  const due = amountDue(invoice)
  return (
    <div class="columns">
      {kind === 'invoice' && invoice.status === 'open' ? (
        <>
          <NamedForm
            id="invoice-payment"
            title="Record a payment"
            action={`${base}/payments`}
            csrf={csrf}
            submit="Record payment"
            once
          >
            <Field
              id="invoice-payment-amount"
              name="amount"
              label="Amount"
              required
              inputmode="decimal"
              hint={`In ${currency}; at most ${money(due)} (what is due).`}
            />
            <Select
              id="invoice-payment-method"
              name="method"
              label="Method"
              options={Object.entries(METHOD_LABELS).map(([value, label]) => ({ value, label }))}
              value="cash"
            />
            <Field
              id="invoice-payment-reference"
              name="reference"
              label="Reference"
              hint="Optional, e.g. a receipt number."
            />
          </NamedForm>
          <NamedForm
            id="invoice-pay-from-balance"
            title="Pay from balance"
            intro={
              <p>{`Moves ${money(due)} from the account balance (${d.subscriber ? money(d.subscriber.balance) : 'unknown'}) to this invoice.`}</p>
            }
            action={`${base}/pay-from-balance`}
            csrf={csrf}
            submit="Pay from balance"
            kind="secondary"
            once
          />
        </>
      ) : null}
      {kind === 'proforma' && invoice.status === 'paid' ? null : (
        <NamedForm
          id="invoice-void"
          title={kind === 'proforma' ? 'Cancel pro-forma' : 'Void invoice'}
          intro={
            <p>
              {kind === 'proforma'
                ? 'The pro-forma is withdrawn and its order closed. No credit note: it was never revenue.'
                : "A credit note reverses it. Money paid on it goes back to the account balance unless you choose otherwise; its top-up's data is removed if still unused."}
            </p>
          }
          action={`${base}/void`}
          csrf={csrf}
          submit={kind === 'proforma' ? 'Cancel pro-forma' : 'Void invoice'}
          kind="danger"
          once
        >
          <Field id="invoice-void-reason" name="reason" label="Reason" required />
          {kind === 'invoice' ? (
            <Select
              id="invoice-void-refund"
              name="refund"
              label="Money paid on it"
              options={[
                { value: 'balance', label: 'Back to the account balance' },
                { value: 'none', label: 'Refunded outside capd (leave the balance)' },
              ]}
              value="balance"
            />
          ) : null}
        </NamedForm>
      )}
    </div>
  )
}
