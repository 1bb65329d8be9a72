/** "Buy a top-up": one radio per offer, paid from the balance; a fresh idempotency key per render stops double buys. */

import { describedBy, errorId, FieldErrorText } from '../ui/field-error.js'
import { fieldProblem, RefillForm, refilledValue } from '../ui/form-refill-context.js'
import { bytes, money } from '../ui/format.js'
import { CsrfField, OnceField } from '../ui/forms.js'
import type { MeView } from './home-view.js'

export interface BuyFormProps {
  offers: MeView['topUpPlans']
  csrf: string
}

export function BuyForm({ offers, csrf }: BuyFormProps) {
  return (
    <section>
      <h2 id="buy-title">Buy a top-up</h2>
      {offers.length === 0 ? (
        <p class="muted">No top-ups are on offer right now.</p>
      ) : (
        <form method="post" action="/portal/topups" aria-labelledby="buy-title">
          <CsrfField token={csrf} />
          {/* New on every render: a double submit of this form buys once, a later form buys anew. */}
          <OnceField />
          <RefillForm action="/portal/topups">
            <Offers offers={offers} />
          </RefillForm>
          <button type="submit" class="button primary wide">
            Buy with balance
          </button>
          <p class="hint">
            Paid from your balance. Paying by card is not offered yet: it arrives with the billing
            integration.
          </p>
        </form>
      )}
    </section>
  )
}

/** One radio per offer: the first is chosen, or the one a refused purchase chose; a problem shown above them. */
function Offers({ offers }: { offers: BuyFormProps['offers'] }) {
  const chosen = refilledValue('topUpPlanId', offers[0]?.id)
  const problem = fieldProblem('topUpPlanId')
  return (
    <fieldset class={problem ? 'offers invalid' : 'offers'}>
      <legend class="visually-hidden">Choose a top-up</legend>
      <FieldErrorText id="offers" message={problem} />
      {offers.map((o) => (
        <div class="offer">
          <label>
            <input
              type="radio"
              name="topUpPlanId"
              value={o.id}
              checked={o.id === chosen}
              required
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={describedBy(problem && errorId('offers'), `offer-${o.id}-hint`)}
            />
            <span>{`${o.name} — ${money(o.price)}`}</span>
          </label>
          <span class="hint" id={`offer-${o.id}-hint`}>
            {offerHint(o)}
          </span>
        </div>
      ))}
    </fieldset>
  )
}

function offerHint(o: MeView['topUpPlans'][number]): string {
  const lasts = o.validityDays === undefined ? 'until the period ends' : `for ${o.validityDays} days`
  return `${bytes(o.bytes)} more, ${lasts}`
}
