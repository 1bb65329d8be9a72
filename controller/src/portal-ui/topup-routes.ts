/**
 * Buying a top-up from the home page: the JSON route's steps (portal/order-routes.ts) for a
 * form. Only ever for the session's subscriber, once per idempotency key: from the balance at
 * once (back to the home page's confirmation), or through a provider (to the order's page).
 */

import type { Money } from '@capd/protocol'
import type { Hono } from 'hono'
import { z } from 'zod'
import { isIdempotencyKey, requestHash } from '../domain/idempotency.js'
import { Refusal } from '../domain/refusal.js'
import { payFromBalance } from '../payments/balance-order.js'
import { PROVIDER_WAYS } from '../payments/ways-to-pay.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import { buyThrough, orderPagePath } from '../portal/purchase.js'
import type { EnforcementState } from '../store/entities.js'
import { CSRF_FIELD } from '../ui/csrf.js'
import { formAction } from '../ui/form-action.js'
import { runOnce } from '../ui/form-once.js'
import { IDEMPOTENCY_FIELD } from '../ui/form-values.js'
import { bytes, money } from '../ui/format.js'
import { readPortalForm, STALE_FORM } from './portal-form.js'
import type { PortalPageKit } from './portal-page-auth.js'
import { SUSPENDED_NO_TOPUPS } from './suspended-notice.js'

/** What each field the customer can fix says when it is refused (see FormCheck.schema). */
const BUY_MESSAGES = {
  topUpPlanId: 'Choose a top-up.',
  pay: 'Choose how to pay.',
  phone: 'Enter a phone number of at most 32 characters.',
}

/** Strict: a form naming anything else (a `subscriberId`, say) is refused, not quietly ignored. */
const BuyTopUp = z.strictObject({
  [CSRF_FIELD]: z.string(),
  topUpPlanId: z.string().min(1).max(100),
  [IDEMPOTENCY_FIELD]: z.string({ error: STALE_FORM }).refine(isIdempotencyKey, STALE_FORM),
  /** Absent on a page that offers only the balance. */
  pay: z.enum(['balance', ...PROVIDER_WAYS]).default('balance'),
  phone: z
    .string()
    .trim()
    .max(32)
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
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
      const { topUpPlanId, idempotencyKey, pay, phone } = await readPortalForm(c, BuyTopUp, BUY_MESSAGES)
      const id = c.var.subscriberId
      if (pay !== 'balance') {
        const input = { topUpPlanId, pay, phone }
        const { order } = await buyThrough(c, kit.deps, {
          subscriberId: id,
          actor: c.var.actor,
          request: { kind: 'topup', topUpPlanId },
          way: pay,
          phone: pay === 'mpesa' ? phone : undefined,
          idempotency: {
            scope: `${c.var.actor}|${idempotencyKey}`,
            hash: requestHash(`${c.req.method} ${c.req.path}`, input),
          },
        }).catch((err) => {
          throw usedForm(forCustomer(err, { amount: 0, currency: env.currency }, undefined))
        })
        const was = (await kit.deps.store.peek((tx) => tx.subscribers.get(id)))?.state
        return { to: orderPagePath(order.id, was), message: placedMessage(order.provider) }
      }
      const { body } = await runOnce(c, kit.deps, idempotencyKey, { topUpPlanId }, async (tx) => {
        const before = await tx.subscribers.get(id)
        if (!before) throw new Error(`portal session for missing subscriber ${id}`)
        try {
          const { topUp } = await payFromBalance(tx, env, c.var.actor, id, topUpPlanId)
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

/** What the order's page is about to say, in a sentence. */
function placedMessage(provider: string): string {
  if (provider === 'offline') return 'Your order is placed. Pay as shown below to get your top-up.'
  if (provider === 'mpesa') return 'Check your phone: approve the payment request to get your top-up.'
  return 'Your order is placed. Continue to the payment to get your top-up.'
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
  if (err.code === 'suspended') return new Refusal(err.code, SUSPENDED_NO_TOPUPS)
  if (err.code === 'invalid_reference' || err.code === 'retired') {
    const gone = 'That top-up is no longer on offer. Choose another one.'
    return new Refusal(err.code, gone, [{ path: 'topUpPlanId', message: gone }])
  }
  return err
}
