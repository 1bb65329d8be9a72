/** The subscriber page's account posts: auto top-up settings and payments, through the domain calls the API makes. */
import type { Money } from '@capd/protocol'
import type { Hono } from 'hono'
import { idParam } from '../api/validate.js'
import { runAutoTopUp, setAutoTopUp } from '../domain/auto-topup.js'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { recordPayment } from '../domain/payments.js'
import { logOf } from '../http/request-log.js'
import type { AutoTopUp } from '../store/entities.js'
import { dataAmountField } from '../ui/data-amount.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { runOnce } from '../ui/form-once.js'
import { fieldError } from '../ui/form-refusal.js'
import {
  checkbox,
  fieldText,
  idempotencyKeyField,
  moneyField,
  optionalText,
  wholeNumberField,
} from '../ui/form-values.js'
import { money } from '../ui/format.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'
import { subscriberPath } from './subscriber-path.js'

const THRESHOLD = 'Top up when remaining data is at most'
const PLAN = 'Top-up plan'

export function accountActions(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { deps } = kit
  const { store, env } = deps

  ui.post('/subscribers/:id/auto-topup', kit.action('billing'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const id = idParam(c)
      const form = await readForm(c)
      const enabled = checkbox(form, 'enabled')
      const topUpPlanId = fieldText(form, 'topUpPlanId')
      const check = new FormCheck()
      if (enabled && !topUpPlanId)
        check.add(
          fieldError('topUpPlanId', PLAN, 'Choose the top-up plan to sell when auto top-up is enabled.'),
        )
      const read = check.doneAll({
        maxPerPeriod: check.read(() =>
          wholeNumberField(form, 'maxPerPeriod', 'Maximum per period', { min: 1, max: 100 }),
        ),
        thresholdBytes: check.read(() =>
          dataAmountField(form, 'thresholdBytes', THRESHOLD, { minBytes: 0, empty: 0 }),
        ),
      })
      const settings: AutoTopUp = {
        enabled,
        // Off with no plan chosen yet (say, to let the customer choose one in the portal).
        topUpPlanId: topUpPlanId ?? '',
        ...read,
        customerMayChange: checkbox(form, 'customerMayChange'),
      }
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
