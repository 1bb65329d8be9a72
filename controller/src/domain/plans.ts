/** Plans (the cap and what happens at it) and top-up plans (data packs for sale). */
import type { Money } from '@capd/protocol'
import { notFound, unprocessable } from '../errors.js'
import { newId } from '../ids.js'
import type { OnCap, Plan, TopUpPlan } from '../store/entities.js'
import type { Table, Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { requireCurrency } from './money-rules.js'

export interface PlanInput {
  name: string
  capBytes: number
  onCap: OnCap
  throttleKbps?: number
}

export async function createPlan(tx: Tx, env: DomainEnv, actor: Actor, input: PlanInput): Promise<Plan> {
  const now = env.clock.now()
  const plan: Plan = { id: newId('pln', now), ...input, createdAtMs: now }
  await tx.plans.insert(plan)
  await audit(tx, env, actor, 'plan.create', 'plan', plan.id, input)
  return plan
}

export function retirePlan(tx: Tx, env: DomainEnv, actor: Actor, id: string): Promise<Plan> {
  return retire(tx, tx.plans, env, actor, id, 'plan')
}

export interface TopUpPlanInput {
  name: string
  bytes: number
  price: Money
  validityDays?: number
}

export async function createTopUpPlan(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  input: TopUpPlanInput,
): Promise<TopUpPlan> {
  requireCurrency(env, input.price.currency, 'price')
  const now = env.clock.now()
  const plan: TopUpPlan = { id: newId('tpp', now), ...input, createdAtMs: now }
  await tx.topUpPlans.insert(plan)
  await audit(tx, env, actor, 'topup_plan.create', 'topup_plan', plan.id, input)
  return plan
}

export function retireTopUpPlan(tx: Tx, env: DomainEnv, actor: Actor, id: string): Promise<TopUpPlan> {
  return retire(tx, tx.topUpPlans, env, actor, id, 'topup_plan')
}

/** Retiring keeps the row (old top-ups and subscribers refer to it) but stops offering it. Idempotent. */
async function retire<T extends { id: string; retiredAtMs?: number }>(
  tx: Tx,
  table: Table<T>,
  env: DomainEnv,
  actor: Actor,
  id: string,
  entity: 'plan' | 'topup_plan',
): Promise<T> {
  const row = await table.get(id)
  if (!row) throw notFound(entity === 'plan' ? 'plan' : 'top-up plan', id)
  if (row.retiredAtMs !== undefined) return row
  const retired = { ...row, retiredAtMs: env.clock.now() }
  await table.update(retired)
  await audit(tx, env, actor, `${entity}.retire`, entity, id)
  return retired
}

/** A plan named in a request body: it must exist and be on offer. */
export async function requireActivePlan(tx: Tx, id: string): Promise<Plan> {
  const plan = await tx.plans.get(id)
  if (!plan) throw unprocessable('invalid_reference', `plan ${id} does not exist`)
  if (plan.retiredAtMs !== undefined) throw unprocessable('retired', `plan ${id} is retired`)
  return plan
}

export async function requireActiveTopUpPlan(tx: Tx, id: string): Promise<TopUpPlan> {
  const plan = await tx.topUpPlans.get(id)
  if (!plan) throw unprocessable('invalid_reference', `top-up plan ${id} does not exist`)
  if (plan.retiredAtMs !== undefined) throw unprocessable('retired', `top-up plan ${id} is retired`)
  return plan
}
