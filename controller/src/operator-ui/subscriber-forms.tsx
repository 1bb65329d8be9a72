/** The subscriber page's action forms: a manual top-up, selling a top-up plan, auto top-up settings, a payment, the edit. */
import { may, type Role } from '../auth/roles.js'
import { DataAmountField } from '../ui/data-amount-field.js'
import { Field, Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { AutoTopUpForm, offerLabel } from './auto-topup-form.js'
import { CHARGE_TO } from './charge-to.js'
import { SubscriberFields } from './subscriber-fields.js'
import { SubscriberLifecycleForms } from './subscriber-lifecycle-forms.js'
import type { SubscriberPageData } from './subscriber-page-data.js'

export function SubscriberForms({
  d,
  csrf,
  role,
  currency,
}: {
  d: SubscriberPageData
  csrf: string
  /** Forms the role may not send are left out (the server refuses them anyway). */
  role: Role
  currency: string
}) {
  const base = `/subscribers/${encodeURIComponent(d.sub.id)}`
  const billing = may(role, 'billing')
  const edit = may(role, 'subscribers')
  const lifecycle = may(role, 'lifecycle')
  if (!billing && !edit && !lifecycle) return null
  return (
    <div class="columns">
      {lifecycle ? <SubscriberLifecycleForms sub={d.sub} csrf={csrf} /> : null}
      {billing ? <BillingForms d={d} csrf={csrf} base={base} currency={currency} /> : null}
      {edit ? (
        <NamedForm
          id="edit-subscriber"
          title="Edit subscriber"
          action={base}
          csrf={csrf}
          submit="Save subscriber"
        >
          <SubscriberFields prefix="edit" choices={d.choices} sub={d.sub} />
        </NamedForm>
      ) : null}
    </div>
  )
}

function BillingForms({
  d,
  csrf,
  base,
  currency,
}: {
  d: SubscriberPageData
  csrf: string
  base: string
  currency: string
}) {
  return (
    <>
      <NamedForm
        id="manual-topup"
        title="Manual top-up"
        action={`${base}/topups`}
        csrf={csrf}
        submit="Add top-up"
        once
      >
        <DataAmountField id="manual-bytes" name="bytes" label="Data amount" required placeholder="5" />
        <Field
          id="manual-price"
          name="price"
          label="Price"
          required
          inputmode="decimal"
          placeholder="0.00"
          hint={`In ${currency}.`}
        />
        <Select
          id="manual-charge-to"
          name="chargeTo"
          label="Charge to"
          options={CHARGE_TO}
          value={d.defaultChargeTo}
        />
      </NamedForm>

      <NamedForm
        id="sell-topup"
        title="Sell a top-up plan"
        action={`${base}/topups/plan`}
        csrf={csrf}
        submit="Sell top-up"
        once
      >
        <Select
          id="sell-plan"
          name="topUpPlanId"
          label="Top-up plan"
          options={d.offers.map((p) => ({ value: p.id, label: offerLabel(p) }))}
          required
          hint={
            d.offers.length === 0 ? 'No top-up plans are on sale: create one under Top-up plans.' : undefined
          }
        />
        <Select
          id="sell-charge-to"
          name="chargeTo"
          label="Charge to"
          options={CHARGE_TO}
          value={d.defaultChargeTo}
        />
      </NamedForm>

      <AutoTopUpForm d={d} csrf={csrf} action={`${base}/auto-topup`} currency={currency} />

      <NamedForm
        id="payment"
        title="Record a payment"
        action={`${base}/payments`}
        csrf={csrf}
        submit="Record payment"
        once
      >
        <Field
          id="payment-amount"
          name="amount"
          label="Amount"
          required
          inputmode="decimal"
          hint={`In ${currency}; credited to the account balance.`}
        />
        <Field
          id="payment-reference"
          name="reference"
          label="Reference"
          hint="Optional, e.g. a bank transfer reference."
        />
      </NamedForm>
    </>
  )
}
