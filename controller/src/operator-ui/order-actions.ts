/** The Orders page's posts: an offline payment recorded against an order, and the payment instructions. */
import type { Hono } from 'hono'
import { idParam } from '../api/validate.js'
import { setPaymentInstructions } from '../domain/payment-instructions.js'
import { OFFLINE_METHODS, type OfflineMethod, recordOrderPayment } from '../payments/order-payment.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { runOnce } from '../ui/form-once.js'
import { fieldError, idempotencyKeyField, moneyField, requiredText } from '../ui/form-values.js'
import { money } from '../ui/format.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function orderActions(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { deps } = kit
  const { env, store } = deps

  ui.post('/orders/:id/payments', kit.action('billing'), (c) =>
    formAction(c, 'operator', '/orders', async () => {
      const form = await readForm(c)
      const method = form.method as OfflineMethod
      if (!OFFLINE_METHODS.includes(method))
        throw fieldError('method', 'Paid by', 'Choose cash, bank transfer or other.')
      const input = {
        method,
        reference: requiredText(form, 'reference', 'Receipt or transfer reference'),
        amount: moneyField(form, 'amount', 'Amount received', env.currency, { positive: true }),
      }
      const id = idParam(c)
      const answer = await runOnce(c, deps, idempotencyKeyField(form), input, async (tx) => {
        const { order } = await recordOrderPayment(tx, env, c.var.actor, id, input)
        return { status: 201, body: { amount: order.amount } }
      })
      const { amount } = answer.body as { amount: Parameters<typeof money>[0] }
      return { message: `Payment of ${money(amount)} recorded; the order is applied.` }
    }),
  )

  ui.post('/settings/payment-instructions', kit.action('billing'), (c) =>
    formAction(c, 'operator', '/orders', async () => {
      const form = await readForm(c)
      const text = form.instructions ?? ''
      await store.transact((tx) => setPaymentInstructions(tx, env, c.var.actor, text))
      return {
        message: text.trim()
          ? 'Payment instructions saved: customers may now choose to pay at the office or by bank transfer.'
          : 'Payment instructions removed: customers are no longer offered to pay at the office.',
      }
    }),
  )
}
