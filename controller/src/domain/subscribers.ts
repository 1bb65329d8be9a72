/**
 * Subscribers: who they are, which plan and agent, which address the router knows them by (or none:
 * the agent then finds the subscriber's address from the router's sessions by login).
 */
import { type BillingDay, billingPeriod, parseIpPrefix } from '@capd/protocol'
import { hashPassword } from '../auth/passwords.js'
import { newId } from '../ids.js'
import type { AgentMove, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { epochsOf } from './agent-epochs.js'
import { audit } from './audit.js'
import { moveBillingDay } from './billing-day-change.js'
import type { Actor, DomainEnv } from './env.js'
import { refreshLimit } from './limits.js'
import { liveSubscriber } from './live-subscriber.js'
import { fieldRefusal } from './refusal.js'

export interface SubscriberInput {
  name: string
  login: string
  password?: string
  email?: string
  /** Already normalised (see api/contact-schemas.ts). */
  phone?: string
  postalAddress?: string
  notes?: string
  planId: string
  agentId: string
  /** Already canonical and allowed (see parseSubscriberAddress); absent = known by login. */
  address?: string
  billingDay: BillingDay
}

/** Hashing is slow, so it happens before the transaction; the result is handed in. */
export async function preparePassword(password: string | undefined): Promise<string | undefined> {
  return password === undefined ? undefined : hashPassword(password)
}

export async function createSubscriber(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  input: SubscriberInput,
  passwordHash: string | undefined,
): Promise<Subscriber> {
  await assignablePlan(tx, input.planId)
  await assignableAgent(tx, input.agentId)
  if (await tx.subscribers.byLogin(input.login)) {
    throw fieldRefusal('conflict', 'login', `login "${input.login}" is taken`, `"${input.login}" is taken`)
  }
  if (input.address !== undefined) await requireFreeAddress(tx, input.agentId, input.address)
  const now = env.clock.now()
  const { password: _, ...rest } = input
  const created: Subscriber = {
    id: newId('sub', now),
    ...rest,
    ...(passwordHash ? { passwordHash } : {}),
    balance: { amount: 0, currency: env.currency },
    createdAtMs: now,
    usedBytes: 0,
    usagePeriodStartMs: billingPeriod(now, input.billingDay, env.timeZone).startMs,
    state: 'open',
  }
  await tx.subscribers.insert(created)
  await audit(tx, env, actor, 'subscriber.create', 'subscriber', created.id, rest)
  return refreshLimit(tx, env, created)
}

/** What an edit may change; the login is not among them (it is how the customer logs in). */
export interface SubscriberChanges {
  name?: string
  /** `null` removes the e-mail address; likewise for the other optional fields. */
  email?: string | null
  phone?: string | null
  postalAddress?: string | null
  notes?: string | null
  planId?: string
  agentId?: string
  /** Already canonical (see parseIpPrefix); `null` removes it (the subscriber is then known by login). */
  address?: string | null
  billingDay?: BillingDay
  /** A new portal password, hashed by preparePassword; absent = unchanged. */
  passwordHash?: string
}

/**
 * Edits a subscriber with the checks a new one gets, for the fields that really change (a retired
 * plan or a revoked agent the subscriber is already on may stay). A new plan, agent, address or
 * billing day changes the limit terms: the version is bumped here, in the same transaction, and
 * the caller pushes `subscriberIds` after the commit. A move to another agent also drops the old
 * agent's copy (the hub re-syncs it, see AgentHub.limitsChanged). A new password ends the
 * customer's portal sessions.
 */
export async function updateSubscriber(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  changes: SubscriberChanges,
): Promise<{ subscriber: Subscriber; subscriberIds: string[] }> {
  const sub = await liveSubscriber(tx, id)
  const { passwordHash, ...fields } = changes
  const changed = changedFields(sub, fields)
  if (Object.keys(changed).length === 0 && passwordHash === undefined) {
    return { subscriber: sub, subscriberIds: [] }
  }
  if (changed.planId !== undefined) await assignablePlan(tx, changed.planId)
  if (changed.agentId !== undefined) await assignableAgent(tx, changed.agentId)
  const agentId = changed.agentId ?? sub.agentId
  const address = pick(sub.address, changed.address)
  if (address !== undefined && (changed.agentId !== undefined || changed.address !== undefined)) {
    await requireFreeAddress(tx, agentId, address, id)
  }
  const base = changed.billingDay === undefined ? sub : await moveBillingDay(tx, env, sub, changed.billingDay)
  const {
    address: _address,
    email: _email,
    phone: _phone,
    postalAddress: _postal,
    notes: _notes,
    passwordHash: _hash,
    limitTerms,
    formerAgentIds: _former,
    moves: _moves,
    ...kept
  } = base
  const optional = {
    address,
    email: pick(sub.email, changed.email),
    phone: pick(sub.phone, changed.phone),
    postalAddress: pick(sub.postalAddress, changed.postalAddress),
    notes: pick(sub.notes, changed.notes),
  }
  const hash = passwordHash ?? sub.passwordHash
  const moved = agentId !== sub.agentId
  const former = formerAgents(sub, agentId)
  const moves = moved ? await recordMove(tx, env, sub) : (sub.moves ?? [])
  const updated: Subscriber = {
    ...kept,
    name: changed.name ?? sub.name,
    planId: changed.planId ?? sub.planId,
    agentId,
    ...withoutUndefined(optional),
    ...(hash === undefined ? {} : { passwordHash: hash }),
    ...(former.length > 0 ? { formerAgentIds: former } : {}),
    ...(moves.length > 0 ? { moves } : {}),
    // Forgotten on a move, so the version is bumped even when the terms are the same: the new
    // agent's report of what it applied is then told apart from the old agent's.
    ...(limitTerms && !moved ? { limitTerms } : {}),
  }
  await tx.subscribers.update(updated)
  await audit(tx, env, actor, 'subscriber.update', 'subscriber', id, {
    ...changed,
    ...(passwordHash === undefined ? {} : { passwordChanged: true }),
  })
  if (passwordHash !== undefined) await endPortalSessions(tx, id, env.clock.now())
  return { subscriber: await refreshLimit(tx, env, updated), subscriberIds: [id] }
}

/** The agents the subscriber was on before `agentId`, the one it is on after the edit. */
function formerAgents(sub: Subscriber, agentId: string): readonly string[] {
  const before = sub.formerAgentIds ?? []
  if (agentId === sub.agentId) return before
  return [...before.filter((a) => a !== agentId && a !== sub.agentId), sub.agentId]
}

/** The subscriber's moves with this one (away from its agent now) added; the oldest fall off. */
async function recordMove(tx: Tx, env: DomainEnv, sub: Subscriber): Promise<readonly AgentMove[]> {
  const move = { fromAgentId: sub.agentId, atMs: env.clock.now(), epochs: await epochsOf(tx, sub.agentId) }
  return [...(sub.moves ?? []), move].slice(-MAX_MOVES)
}

/** Moves kept per subscriber: late usage is only ever that of the last few. */
const MAX_MOVES = 8

type FieldChanges = Omit<SubscriberChanges, 'passwordHash'>

/** The fields an edit removes with `null`. */
const NULLABLE = new Set<keyof FieldChanges>(['address', 'email', 'phone', 'postalAddress', 'notes'])

/** The fields whose value differs from the subscriber's now (a form sends them all). */
function changedFields(sub: Subscriber, fields: FieldChanges): FieldChanges {
  const changed: FieldChanges = {}
  for (const key of Object.keys(fields) as (keyof FieldChanges)[]) {
    const value = fields[key]
    if (value === undefined) continue
    const now = NULLABLE.has(key) ? (sub[key] ?? null) : sub[key]
    if (value !== now) Object.assign(changed, { [key]: value })
  }
  return changed
}

/** A plan a subscriber may be put on: it exists and is on offer. */
async function assignablePlan(tx: Tx, id: string): Promise<void> {
  const plan = await tx.plans.get(id)
  if (!plan) throw fieldRefusal('invalid_reference', 'planId', `plan ${id} does not exist`)
  if (plan.retiredAtMs !== undefined) {
    throw fieldRefusal('retired', 'planId', `plan ${id} is retired`, `"${plan.name}" is retired`)
  }
}

/** An agent a subscriber may be put on: it exists and is not revoked (a revoked one enforces nothing). */
async function assignableAgent(tx: Tx, id: string): Promise<void> {
  const agent = await tx.agents.get(id)
  if (!agent) throw fieldRefusal('invalid_reference', 'agentId', `agent ${id} does not exist`)
  if (agent.revokedAtMs !== undefined) {
    throw fieldRefusal('revoked', 'agentId', `agent ${id} is revoked`, `"${agent.name}" is revoked`)
  }
}

/**
 * No two subscribers of one agent overlap: the router could not tell their bytes apart, and its rule
 * set would hold both (the agent skips the later one, see agent/src/drivers/rules.ts).
 */
async function requireFreeAddress(
  tx: Tx,
  agentId: string,
  address: string,
  exceptId?: string,
): Promise<void> {
  const prefix = parseIpPrefix(address)
  const other = await tx.subscribers.overlappingAddress(agentId, prefix, exceptId)
  if (!other) return
  const same = other.address === prefix.text
  throw fieldRefusal(
    'conflict',
    'address',
    same
      ? `address ${address} already belongs to subscriber ${other.id} on this agent`
      : `address ${address} overlaps ${other.address} of subscriber ${other.id} on this agent`,
    same
      ? `${address} already belongs to ${other.name} on this agent`
      : `${address} overlaps ${other.address} of ${other.name} on this agent`,
  )
}

/** The field's value after an edit: `undefined` keeps it, `null` removes it. */
const pick = (now: string | undefined, change: string | null | undefined) =>
  change === undefined ? now : (change ?? undefined)

const withoutUndefined = (fields: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))

/** Whoever knew the old password (or a deleted subscriber's customer) is logged out of the portal. */
export async function endPortalSessions(tx: Tx, subscriberId: string, nowMs: number): Promise<void> {
  for (const session of await tx.portalSessions.list()) {
    if (session.subscriberId !== subscriberId || session.endedAtMs !== undefined) continue
    await tx.portalSessions.update({ ...session, endedAtMs: nowMs })
  }
}
