/** Plans and top-up plans: create, list, read, edit, retire. */

import { editPlan } from '../domain/plan-edit.js'
import { createPlan, createTopUpPlan, retirePlan, retireTopUpPlan, updateTopUpPlan } from '../domain/plans.js'
import { notFound } from '../domain/refusal.js'
import { logOf } from '../http/request-log.js'
import type { ApiDeps } from './app-env.js'
import { UpdatePlan, UpdateTopUpPlan } from './catalog-schemas.js'
import type { DocumentedRouter } from './router.js'
import { CreatePlanBody, CreateTopUpPlanBody } from './schemas.js'
import { idParam, readJson } from './validate.js'
import { planView, topUpPlanView } from './views.js'

export function catalogRoutes(r: DocumentedRouter, { store, env }: ApiDeps): void {
  r.add(
    { method: 'post', path: '/plans', summary: 'Create a plan', body: CreatePlanBody, status: 201 },
    async (c) => {
      const input = await readJson(c, CreatePlanBody)
      const plan = await store.transact((tx) => createPlan(tx, env, c.var.actor, input))
      return c.json(planView(plan), 201)
    },
  )
  r.add({ method: 'get', path: '/plans', summary: 'List plans', status: 200 }, async (c) => {
    const plans = await store.transact((tx) => tx.plans.list())
    return c.json({ items: plans.map(planView) })
  })
  r.add({ method: 'get', path: '/plans/:id', summary: 'Read a plan', status: 200 }, async (c) => {
    const id = idParam(c)
    const plan = await store.transact((tx) => tx.plans.get(id))
    if (!plan) throw notFound('plan', id)
    return c.json(planView(plan))
  })
  r.add(
    {
      method: 'patch',
      path: '/plans/:id',
      summary: 'Edit a plan: every subscriber on it gets the new terms at once',
      body: UpdatePlan,
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const changes = await readJson(c, UpdatePlan)
      const plan = await editPlan(store, env, c.var.actor, id, changes, logOf(c))
      return c.json(planView(plan))
    },
  )
  r.add(
    {
      method: 'post',
      path: '/plans/:id/retire',
      summary: 'Stop offering a plan to new subscribers',
      status: 200,
    },
    async (c) => {
      const plan = await store.transact((tx) => retirePlan(tx, env, c.var.actor, idParam(c)))
      return c.json(planView(plan))
    },
  )

  r.add(
    {
      method: 'post',
      path: '/topup-plans',
      summary: 'Create a top-up plan',
      body: CreateTopUpPlanBody,
      status: 201,
    },
    async (c) => {
      const input = await readJson(c, CreateTopUpPlanBody)
      const plan = await store.transact((tx) => createTopUpPlan(tx, env, c.var.actor, input))
      return c.json(topUpPlanView(plan), 201)
    },
  )
  r.add({ method: 'get', path: '/topup-plans', summary: 'List top-up plans', status: 200 }, async (c) => {
    const plans = await store.transact((tx) => tx.topUpPlans.list())
    return c.json({ items: plans.map(topUpPlanView) })
  })
  r.add(
    { method: 'get', path: '/topup-plans/:id', summary: 'Read a top-up plan', status: 200 },
    async (c) => {
      const id = idParam(c)
      const plan = await store.transact((tx) => tx.topUpPlans.get(id))
      if (!plan) throw notFound('top-up plan', id)
      return c.json(topUpPlanView(plan))
    },
  )
  r.add(
    {
      method: 'patch',
      path: '/topup-plans/:id',
      summary: 'Edit a top-up plan for future sales (top-ups already sold keep their terms)',
      body: UpdateTopUpPlan,
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const changes = await readJson(c, UpdateTopUpPlan)
      const plan = await store.transact((tx) => updateTopUpPlan(tx, env, c.var.actor, id, changes))
      return c.json(topUpPlanView(plan))
    },
  )
  r.add(
    { method: 'post', path: '/topup-plans/:id/retire', summary: 'Stop selling a top-up plan', status: 200 },
    async (c) => {
      const plan = await store.transact((tx) => retireTopUpPlan(tx, env, c.var.actor, idParam(c)))
      return c.json(topUpPlanView(plan))
    },
  )
}
