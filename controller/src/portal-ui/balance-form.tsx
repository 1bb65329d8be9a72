/** "Add money to your balance": an amount and a way to pay through a provider (card, M-Pesa); shown only when one is set up. */
import type { Money } from '@capd/protocol'
import { RefillForm, refilledValue } from '../ui/form-refill-context.js'
import { money } from '../ui/format.js'
import { CsrfField, OnceField } from '../ui/forms.js'
import type { WayOffered } from './buy-form.js'

export function BalanceForm({
  csrf,
  ways,
  balance,
}: {
  csrf: string
  ways: readonly WayOffered[]
  balance: Money
}) {
  // Money for the balance is collected by a provider; the office's pro-forma is for top-ups.
  const online = ways.filter((w) => w.way !== 'offline')
  if (online.length === 0) return null
  const chosen = refilledValue('pay', online[0]!.way)
  return (
    <section>
      <h2 id="balance-title">Add money to your balance</h2>
      <p class="hint">{`Your balance is ${money(balance)}.`}</p>
      <form method="post" action="/portal/balance" aria-labelledby="balance-title">
        <CsrfField token={csrf} />
        <OnceField />
        <RefillForm action="/portal/balance">
          <label class="field">
            <span>{`Amount (${balance.currency})`}</span>
            <input name="amount" inputmode="decimal" required value={refilledValue('amount', '') ?? ''} />
          </label>
          <fieldset class="offers">
            <legend>How to pay</legend>
            {online.map((w) => (
              <div class="offer">
                <label>
                  <input type="radio" name="pay" value={w.way} checked={chosen === w.way} required />
                  <span>{w.label}</span>
                </label>
                {w.payer ? (
                  <label class="field">
                    <span>{w.payer.label}</span>
                    <input
                      type="tel"
                      name="phone"
                      autocomplete="tel"
                      maxlength={32}
                      value={refilledValue('phone', w.payer.value) ?? ''}
                    />
                  </label>
                ) : null}
              </div>
            ))}
          </fieldset>
        </RefillForm>
        <button type="submit" class="button primary wide">
          Add money
        </button>
      </form>
    </section>
  )
}
