/** The subscriber page's top-up posts (manual, or a top-up plan sold), through createTopUp as the API calls it. */
import type { Context, Hono } from 'hono'
import { TINY_BELOW_BYTES } from '../api/tiny-bytes.js'
import { idParam } from '../api/validate.js'
import { createTopUp, type TopUpInput } from '../domain/topups.js'
import { dataAmountField } from '../ui/data-amount.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { runOnce } from '../ui/form-once.js'
import { idempotencyKeyField, moneyField, requiredText } from '../ui/form-values.js'
import { bytes } from '../ui/format.js'
import { chargeToField } from './charge-to.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'
import { subscriberPath } from './subscriber-path.js'

export function topUpActions(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { deps } = kit
  const { env } = deps

  async function topUp(c: Context<OperatorEnv>, key: string, input: TopUpInput) {
    const id = idParam(c)
    const answer = await runOnce(c, deps, key, input, async (tx) => {
      const result = await createTopUp(tx, env, c.var.actor, 'operator', id, input)
      return { status: 201, body: { topUpId: result.topUp.id, bytes: result.topUp.bytes } }
    })
    return { message: `Top-up of ${bytes((answer.body as { bytes: number }).bytes)} added.` }
  }

  ui.post('/subscribers/:id/topups', kit.action('billing'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const form = await readForm(c)
      const key = idempotencyKeyField(form)
      const check = new FormCheck()
      return topUp(
        c,
        key,
        check.doneAll({
          bytes: check.read(() =>
            dataAmountField(form, 'bytes', 'Data amount', { minBytes: TINY_BELOW_BYTES }),
          ),
          price: check.read(() => moneyField(form, 'price', 'Price', env.currency, { positive: false })),
          chargeTo: check.read(() => chargeToField(form)),
        }),
      )
    }),
  )

  ui.post('/subscribers/:id/topups/plan', kit.action('billing'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const form = await readForm(c)
      const key = idempotencyKeyField(form)
      const check = new FormCheck()
      return topUp(
        c,
        key,
        check.doneAll({
          topUpPlanId: check.read(() => requiredText(form, 'topUpPlanId', 'Top-up plan')),
          chargeTo: check.read(() => chargeToField(form)),
        }),
      )
    }),
  )
}
