/**
 * Buying a top-up from the home page: the JSON route's steps (portal/account-routes.ts) for a
 * form. Only ever for the session's subscriber, paid from the balance, once per idempotency key.
 */

import type { Money } from '@capd/protocol'
import type { Hono } from 'hono'
import { z } from 'zod'
import { isIdempotencyKey } from '../domain/idempotency.js'
import { Refusal } from '../domain/refusal.js'
import { createTopUp } from '../domain/topups.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { EnforcementState } from '../store/entities.js'
import { CSRF_FIELD } from '../ui/csrf.js'
import { formAction } from '../ui/form-action.js'
import { runOnce } from '../ui/form-once.js'
import { IDEMPOTENCY_FIELD } from '../ui/form-values.js'
import { bytes, money } from '../ui/format.js'
import { readPortalForm, STALE_FORM } from './portal-form.js'
import type { PortalPageKit } from './portal-page-auth.js'

const CHOOSE = 'Choose a top-up.'

/** Strict: a form naming anything else (a `subscriberId`, say) is refused, not quietly ignored. */
const BuyTopUp = z.strictObject({
  [CSRF_FIELD]: z.string(),
  topUpPlanId: z.string().min(1).max(100),
  [IDEMPOTENCY_FIELD]: z.string({ error: STALE_FORM }).refine(isIdempotencyKey, STALE_FORM),
})

/** What a purchase answered, kept with its key so a double submit gets the same redirect. */
interface Bought {
  topUpId: string
  was: EnforcementState
  message: string
}

export function topUpRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { env } = kit.deps

  ui.post('/topups', kit.action, (c) =>
    formAction(c, 'portal', '/portal', async () => {
      const { topUpPlanId, idempotencyKey } = await readPortalForm(c, BuyTopUp, { topUpPlanId: CHOOSE })
      const id = c.var.subscriberId
      const { body } = await runOnce(c, kit.deps, idempotencyKey, { topUpPlanId }, async (tx) => {
        const before = await tx.subscribers.get(id)
        if (!before) throw new Error(`portal session for missing subscriber ${id}`)
        try {
          const { topUp } = await createTopUp(tx, env, c.var.actor, 'portal', id, {
            topUpPlanId,
            chargeTo: 'balance',
          })
          const message = `Top-up of ${bytes(topUp.bytes)} bought for ${money(topUp.price)}.`
          const bought: Bought = { topUpId: topUp.id, was: before.state, message }
          return { status: 201, body: bought }
        } catch (err) {
          throw forCustomer(err, before.balance, (await tx.topUpPlans.get(topUpPlanId))?.price)
        }
      }).catch((err) => {
        throw usedForm(err)
      })
      const bought = body as Bought
      return {
        to: `/portal?topup=${encodeURIComponent(bought.topUpId)}&was=${bought.was}`,
        message: bought.message,
      }
    }),
  )
}

/** The back button brings the old form (and key) back; choosing another offer there is a new purchase. */
function usedForm(err: unknown): unknown {
  if (!(err instanceof Refusal) || err.code !== 'idempotency_key_reused') return err
  return new Refusal(
    err.code,
    'This form was already used for another purchase. Reload the page to buy again.',
  )
}

/** The domain's refusals, said to a customer: what is wrong and what to do about it. */
export function forCustomer(err: unknown, balance: Money, price: Money | undefined): unknown {
  if (!(err instanceof Refusal)) return err
  if (err.code === 'insufficient_balance' && price) {
    const short = { amount: price.amount - balance.amount, currency: price.currency }
    return new Refusal(
      err.code,
      `Your balance of ${money(balance)} is too low for this top-up (${money(price)}). ` +
        `Add at least ${money(short)} to your balance, then try again.`,
    )
  }
  if (err.code === 'invalid_reference' || err.code === 'retired') {
    const gone = 'That top-up is no longer on offer. Choose another one.'
    return new Refusal(err.code, gone, [{ path: 'topUpPlanId', message: gone }])
  }
  return err
}
