/** Adding money to the balance from the home page: an order for the amount, paid through a provider, then its page. */
import type { Hono } from 'hono'
import { z } from 'zod'
import { isIdempotencyKey, requestHash } from '../domain/idempotency.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import { buyThrough, orderPagePath } from '../portal/purchase.js'
import { CSRF_FIELD } from '../ui/csrf.js'
import { formAction } from '../ui/form-action.js'
import { fieldError, IDEMPOTENCY_FIELD, moneyValue } from '../ui/form-values.js'
import { readPortalForm, STALE_FORM } from './portal-form.js'
import type { PortalPageKit } from './portal-page-auth.js'

const AddMoney = z.strictObject({
  [CSRF_FIELD]: z.string(),
  [IDEMPOTENCY_FIELD]: z.string({ error: STALE_FORM }).refine(isIdempotencyKey, STALE_FORM),
  amount: z
    .string({ error: 'Enter an amount.' })
    .trim()
    .min(1, 'Enter an amount.')
    .max(20, 'Enter a smaller amount.'),
  pay: z.enum(['card', 'mpesa'], { error: 'Choose how to pay.' }),
  phone: z
    .string()
    .trim()
    .max(32, 'Enter a phone number of at most 32 characters.')
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
})

export function balanceRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { env } = kit.deps
  ui.post('/balance', kit.action, (c) =>
    formAction(c, 'portal', '/portal', async () => {
      const form = await readPortalForm(c, AddMoney, {
        amount: 'Enter an amount such as 10.00.',
        pay: 'Choose how to pay.',
        phone: 'Enter the phone number that pays, e.g. 0712 345 678.',
      })
      const amount = moneyValue(form.amount, env.currency, 'amount', 'Amount')
      if (amount.amount <= 0) throw fieldError('amount', 'Amount', 'Enter an amount of more than 0.')
      const input = { amount, pay: form.pay, phone: form.phone }
      const { order } = await buyThrough(c, kit.deps, {
        subscriberId: c.var.subscriberId,
        actor: c.var.actor,
        request: { kind: 'balance', amount },
        way: form.pay,
        phone: form.pay === 'mpesa' ? form.phone : undefined,
        idempotency: {
          scope: `${c.var.actor}|${form[IDEMPOTENCY_FIELD]}`,
          hash: requestHash(`${c.req.method} ${c.req.path}`, input),
        },
      })
      return {
        to: orderPagePath(order.id),
        message: 'Your order is placed. Pay it to add the money to your balance.',
      }
    }),
  )
}
