/** Routes of the top-up plans pages: list and create, show, edit (for future sales only), retire. */
import type { Hono } from 'hono'
import { createTopUpPlan, retireTopUpPlan, updateTopUpPlan } from '../domain/plans.js'
import { notFound } from '../domain/refusal.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { topUpPlanFromForm } from './catalog-forms.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import { TopUpPlanPage, TopUpPlansPage } from './topup-plan-views.js'

export function topUpPlanPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps

  ui.get('/topup-plans', kit.page, async (c) => {
    const plans = await store.peek((tx) => tx.topUpPlans.list())
    return c.html(<TopUpPlansPage frame={frame(c)} plans={plans} currency={env.currency} />)
  })

  ui.post('/topup-plans', kit.action('catalog'), (c) =>
    formAction(c, 'operator', '/topup-plans', async () => {
      const input = topUpPlanFromForm(await readForm(c), env.currency)
      const plan = await store.transact((tx) => createTopUpPlan(tx, env, c.var.actor, input))
      return { message: `Top-up plan "${plan.name}" created.` }
    }),
  )

  ui.get('/topup-plans/:id', kit.page, async (c) => {
    const id = c.req.param('id')
    const plan = await store.peek((tx) => tx.topUpPlans.get(id))
    if (!plan) throw notFound('top-up plan', id)
    return c.html(
      <TopUpPlanPage frame={frame(c)} plan={plan} currency={env.currency} timeZone={env.timeZone} />,
    )
  })

  ui.post('/topup-plans/:id', kit.action('catalog'), (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', `/topup-plans/${id}`, async () => {
      const input = topUpPlanFromForm(await readForm(c), env.currency)
      // The whole form is sent: an empty "Valid for (days)" clears the validity, it does not keep it.
      const changes = { ...input, validityDays: input.validityDays ?? null, tax: input.tax ?? null }
      await store.transact((tx) => updateTopUpPlan(tx, env, c.var.actor, id, changes))
      return { message: 'Top-up plan saved.' }
    })
  })

  ui.post('/topup-plans/:id/retire', kit.action('catalog'), (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', `/topup-plans/${id}`, async () => {
      await store.transact((tx) => retireTopUpPlan(tx, env, c.var.actor, id))
      return { message: 'Top-up plan retired.' }
    })
  })
}
