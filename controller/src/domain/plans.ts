/** Plans (the cap and what happens at it) and top-up plans (data packs for sale). */
import type { Money } from '@capd/protocol'
import { newId } from '../ids.js'
import type { Plan, TaxRule, TopUpPlan } from '../store/entities.js'
import type { Table, Tx } from '../store/store.js'
import { redrawAllowance } from './allowance-redraw.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { refreshLimit } from './limits.js'
import { requireCurrency } from './money-rules.js'
import { type PlanTermsInput, planTerms, withoutTerms } from './plan-terms.js'
import { notFound, Refusal } from './refusal.js'

export interface PlanInput extends PlanTermsInput {
  name: string
  capBytes: number
  /** Absent = the defaults (DEFAULT_NOTIFY_AT_PERCENT); empty = no usage alerts. */
  notifyAtPercent?: readonly number[] | undefined
}

export async function createPlan(tx: Tx, env: DomainEnv, actor: Actor, input: PlanInput): Promise<Plan> {
  const now = env.clock.now()
  const { name, capBytes, notifyAtPercent } = input
  const plan: Plan = {
    id: newId('pln', now),
    name,
    capBytes,
    ...(notifyAtPercent === undefined ? {} : { notifyAtPercent }),
    ...planTerms(input),
    createdAtMs: now,
  }
  await tx.plans.insert(plan)
  await audit(tx, env, actor, 'plan.create', 'plan', plan.id, input)
  return plan
}

export type PlanChanges = Partial<PlanInput>

/**
 * Edits a plan in place, so every subscriber on it gets the new terms at once: their limit versions
 * are bumped here, in the same transaction, and the caller pushes `subscriberIds` after the commit.
 * The terms are checked on the plan as it is after the edit (see planTerms); nothing is stored on a refusal.
 */
export async function updatePlan(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  changes: PlanChanges,
): Promise<{ plan: Plan; subscriberIds: string[] }> {
  const plan = await editable(tx.plans, id, 'plan')
  const updated: Plan = {
    ...withoutTerms(plan),
    name: changes.name ?? plan.name,
    capBytes: changes.capBytes ?? plan.capBytes,
    ...(changes.notifyAtPercent ? { notifyAtPercent: changes.notifyAtPercent } : {}),
    ...planTerms(changes, plan),
  }
  await tx.plans.update(updated)
  await audit(tx, env, actor, 'plan.update', 'plan', id, changes)
  const subscriberIds: string[] = []
  for (const sub of await tx.subscribers.list()) {
    if (sub.planId !== id || sub.deletedAtMs !== undefined) continue
    // A smaller cap than what was drawn from it: the bytes past it are over-usage now.
    await refreshLimit(tx, env, await redrawAllowance(tx, env, sub))
    subscriberIds.push(sub.id)
  }
  return { plan: updated, subscriberIds }
}

export function retirePlan(tx: Tx, env: DomainEnv, actor: Actor, id: string): Promise<Plan> {
  return retire(tx, tx.plans, env, actor, id, 'plan')
}

export interface TopUpPlanInput {
  name: string
  bytes: number
  price: Money
  validityDays?: number
  /** `null` or absent = untaxed. */
  tax?: TaxRule | null
}

export async function createTopUpPlan(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  input: TopUpPlanInput,
): Promise<TopUpPlan> {
  requireCurrency(env, input.price.currency, 'price')
  const now = env.clock.now()
  const { tax, ...rest } = input
  const plan: TopUpPlan = { id: newId('tpp', now), ...rest, ...(tax ? { tax } : {}), createdAtMs: now }
  await tx.topUpPlans.insert(plan)
  await audit(tx, env, actor, 'topup_plan.create', 'topup_plan', plan.id, input)
  return plan
}

/** `validityDays: null` = valid to the end of the billing period it is bought in. */
export type TopUpPlanChanges = Partial<Omit<TopUpPlanInput, 'validityDays'>> & {
  validityDays?: number | null
}

/**
 * Edits a top-up plan for the top-ups sold from now on. Top-ups already sold keep the bytes, price
 * and expiry they were sold with (each TopUp row holds its own copy), so no limit changes and
 * nothing is pushed.
 */
export async function updateTopUpPlan(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  changes: TopUpPlanChanges,
): Promise<TopUpPlan> {
  if (changes.price) requireCurrency(env, changes.price.currency, 'price')
  const plan = await editable(tx.topUpPlans, id, 'topup_plan')
  const { validityDays: _, tax: __, ...kept } = plan
  const validityDays = changes.validityDays === undefined ? plan.validityDays : changes.validityDays
  const tax = changes.tax === undefined ? plan.tax : changes.tax
  const updated: TopUpPlan = {
    ...kept,
    name: changes.name ?? plan.name,
    bytes: changes.bytes ?? plan.bytes,
    price: changes.price ?? plan.price,
    ...(validityDays == null ? {} : { validityDays }),
    ...(tax == null ? {} : { tax }),
  }
  await tx.topUpPlans.update(updated)
  await audit(tx, env, actor, 'topup_plan.update', 'topup_plan', id, changes)
  return updated
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

/** The row to edit: it must exist and not be retired (a retired plan's terms are history). */
async function editable<T extends { id: string; retiredAtMs?: number }>(
  table: Table<T>,
  id: string,
  entity: 'plan' | 'topup_plan',
): Promise<T> {
  const what = entity === 'plan' ? 'plan' : 'top-up plan'
  const row = await table.get(id)
  if (!row) throw notFound(what, id)
  if (row.retiredAtMs !== undefined)
    throw new Refusal('retired', `${what} ${id} is retired and cannot be edited`)
  return row
}

/** A plan named in a request body: it must exist and be on offer. */
export async function requireActivePlan(tx: Tx, id: string): Promise<Plan> {
  const plan = await tx.plans.get(id)
  if (!plan) throw new Refusal('invalid_reference', `plan ${id} does not exist`)
  if (plan.retiredAtMs !== undefined) throw new Refusal('retired', `plan ${id} is retired`)
  return plan
}

export async function requireActiveTopUpPlan(tx: Tx, id: string): Promise<TopUpPlan> {
  const plan = await tx.topUpPlans.get(id)
  if (!plan) throw new Refusal('invalid_reference', `top-up plan ${id} does not exist`)
  if (plan.retiredAtMs !== undefined) throw new Refusal('retired', `top-up plan ${id} is retired`)
  return plan
}
