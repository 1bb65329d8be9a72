/** The subscriber page's account posts: auto top-up settings and payments, through the domain calls the API makes. */
import type { Money } from '@capd/protocol'
import type { Hono } from 'hono'
import { idParam } from '../api/validate.js'
import { runAutoTopUp, setAutoTopUp } from '../domain/auto-topup.js'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { recordPayment } from '../domain/payments.js'
import { logOf } from '../http/request-log.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { runOnce } from '../ui/form-once.js'
import { fieldError } from '../ui/form-refusal.js'
import { idempotencyKeyField, moneyField, optionalText } from '../ui/form-values.js'
import { money } from '../ui/format.js'
import { readAutoTopUpForm } from './auto-topup-form-read.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'
import { subscriberPath } from './subscriber-path.js'

const PLAN = 'Top-up plan'

export function accountActions(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { deps } = kit
  const { store, env } = deps

  ui.post('/subscribers/:id/auto-topup', kit.action('billing'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const id = idParam(c)
      const form = await readForm(c)
      const settings = readAutoTopUpForm(form, env.currency)
      const topUpPlanId = settings.topUpPlanId
      await store.transact(async (tx) => {
        if (topUpPlanId && !(await tx.topUpPlans.get(topUpPlanId)))
          throw fieldError('topUpPlanId', PLAN, 'That top-up plan no longer exists: choose another.')
        await setAutoTopUp(tx, env, c.var.actor, id, settings)
        // Enabled for someone already at the threshold: the rule applies now, not at the next report.
        await runAutoTopUp(tx, env, id)
      })
      return { message: 'Auto top-up saved.' }
    }),
  )

  ui.post('/subscribers/:id/payments', kit.action('billing'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const id = idParam(c)
      const form = await readForm(c)
      const key = idempotencyKeyField(form)
      const check = new FormCheck()
      const reference = check.read(() => optionalText(form, 'reference', 'Reference', 200))
      const amount = check.read(() => moneyField(form, 'amount', 'Amount', env.currency, { positive: true }))
      const input = check.doneAll({ amount, ...(reference ? { reference } : {}) })
      const answer = await runOnce(c, deps, key, input, async (tx) => {
        const { payment } = await recordPayment(tx, env, c.var.actor, id, input)
        return { status: 201, body: { amount: payment.amount } }
      })
      // Money arrived: an auto top-up declined for want of it may go ahead now (as the API does).
      try {
        await autoTopUpPass(store, env, [id])
      } catch (err) {
        logOf(c).error({ err, subscriberId: id }, 'auto top-up after a payment failed')
      }
      return { message: `Payment of ${money((answer.body as { amount: Money }).amount)} recorded.` }
    }),
  )
}
