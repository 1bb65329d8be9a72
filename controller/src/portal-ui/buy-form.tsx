/**
 * "Buy a top-up": one radio per offer and one per way to pay on offer (the balance, and whatever
 * providers the ISP has set up); a fresh idempotency key per render stops double buys.
 */
import type { Money } from '@capd/protocol'
import type { ProviderWay } from '../payments/ways-to-pay.js'

import { describedBy, errorId, FieldErrorText } from '../ui/field-error.js'
import { fieldProblem, RefillForm, refilledValue } from '../ui/form-refill-context.js'
import { bytes, money } from '../ui/format.js'
import { CsrfField, OnceField } from '../ui/forms.js'
import type { MeView } from './home-view.js'

/** A way to pay through a provider, as the form offers it. */
export interface WayOffered {
  way: ProviderWay
  label: string
  /** Something the customer types to pay this way (the M-Pesa phone number). */
  payer?: { label: string; value?: string | undefined } | undefined
}

export interface BuyFormProps {
  offers: MeView['topUpPlans']
  csrf: string
  balance: Money
  ways: readonly WayOffered[]
}

export function BuyForm({ offers, csrf, balance, ways }: BuyFormProps) {
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
            {ways.length > 0 ? <PayWith offers={offers} balance={balance} ways={ways} /> : null}
          </RefillForm>
          <button type="submit" class="button primary wide">
            {ways.length > 0 ? 'Buy' : 'Buy with balance'}
          </button>
          {ways.length > 0 ? null : <p class="hint">{`Paid from your balance (${money(balance)}).`}</p>}
        </form>
      )}
    </section>
  )
}

/**
 * One radio per way to pay. The balance is offered when it covers an offer; the server refuses
 * (saying what is missing) when the one chosen costs more.
 */
function PayWith({ offers, balance, ways }: Pick<BuyFormProps, 'offers' | 'balance' | 'ways'>) {
  const cheapest = Math.min(...offers.map((o) => o.price.amount))
  const balanceCovers = balance.amount >= cheapest
  const chosen = refilledValue('pay', balanceCovers ? 'balance' : ways[0]?.way)
  const problem = fieldProblem('pay')
  const phoneProblem = fieldProblem('phone')
  const marked = (text: string | undefined, id: string) => ({
    'aria-invalid': text ? ('true' as const) : undefined,
    'aria-describedby': describedBy(text && errorId(id)),
  })
  return (
    <fieldset class={problem ? 'offers invalid' : 'offers'}>
      <legend>How to pay</legend>
      <FieldErrorText id="pay-with" message={problem} />
      {balanceCovers ? (
        <div class="offer">
          <label>
            <input
              type="radio"
              name="pay"
              value="balance"
              checked={chosen === 'balance'}
              required
              {...marked(problem, 'pay-with')}
            />
            <span>{`From your balance (${money(balance)})`}</span>
          </label>
        </div>
      ) : null}
      {ways.map((w) => (
        <div class="offer">
          <label>
            <input
              type="radio"
              name="pay"
              value={w.way}
              checked={chosen === w.way}
              required
              {...marked(problem, 'pay-with')}
            />
            <span>{w.label}</span>
          </label>
          {w.payer ? (
            <label class="field">
              <span>{w.payer.label}</span>
              <FieldErrorText id={`pay-${w.way}-phone`} message={phoneProblem} />
              <input
                type="tel"
                name="phone"
                autocomplete="tel"
                value={refilledValue('phone', w.payer.value) ?? ''}
                maxlength={32}
                {...marked(phoneProblem, `pay-${w.way}-phone`)}
              />
            </label>
          ) : null}
        </div>
      ))}
    </fieldset>
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
            <span>{`${o.name} — ${money(o.price)}${o.taxIncluded ? ` incl. ${o.taxIncluded.ratePercent}% tax` : ''}`}</span>
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
