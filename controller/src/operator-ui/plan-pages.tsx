/** Routes of the plans pages: list and create, show, edit (new terms reach the agents at once), retire. */
import type { Hono } from 'hono'
import { defaultDrawOrder } from '../domain/allowance-settings.js'
import { editPlan } from '../domain/plan-edit.js'
import { createPlan, retirePlan } from '../domain/plans.js'
import { notFound } from '../domain/refusal.js'
import { logOf } from '../http/request-log.js'
import type { Subscriber } from '../store/entities.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { planFromForm } from './catalog-forms.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import { PlanPage, PlansPage } from './plan-views.js'

/** Subscribers per plan, counted in one pass. */
function countByPlan(subscribers: readonly Subscriber[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const s of subscribers) counts.set(s.planId, (counts.get(s.planId) ?? 0) + 1)
  return counts
}

export function planPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps

  ui.get('/plans', kit.page, async (c) => {
    const { plans, counts } = await store.peek(async (tx) => ({
      plans: await tx.plans.list(),
      counts: countByPlan(await tx.subscribers.list()),
    }))
    return c.html(<PlansPage frame={frame(c)} plans={plans} counts={counts} />)
  })

  ui.post('/plans', kit.action('catalog'), (c) =>
    formAction(c, 'operator', '/plans', async () => {
      const input = planFromForm(await readForm(c))
      const plan = await store.transact((tx) => createPlan(tx, env, c.var.actor, input))
      return { message: `Plan "${plan.name}" created.` }
    }),
  )

  ui.get('/plans/:id', kit.page, async (c) => {
    const id = c.req.param('id')
    const found = await store.peek(async (tx) => {
      const plan = await tx.plans.get(id)
      const subscribers = (await tx.subscribers.list()).filter((s) => s.planId === id).length
      return plan && { plan, subscribers, ispDrawOrder: await defaultDrawOrder(tx) }
    })
    if (!found) throw notFound('plan', id)
    return c.html(<PlanPage frame={frame(c)} {...found} timeZone={env.timeZone} />)
  })

  ui.post('/plans/:id', kit.action('catalog'), (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', `/plans/${id}`, async () => {
      const input = planFromForm(await readForm(c))
      await editPlan(store, env, c.var.actor, id, input, logOf(c))
      return { message: 'Plan saved. Its subscribers have the new terms.' }
    })
  })

  ui.post('/plans/:id/retire', kit.action('catalog'), (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', `/plans/${id}`, async () => {
      await store.transact((tx) => retirePlan(tx, env, c.var.actor, id))
      return { message: 'Plan retired.' }
    })
  })
}
