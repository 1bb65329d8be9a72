/** Subscribers: who they are, which plan and agent, which address the router knows them by. */
import { type BillingDay, billingPeriod } from '@capd/protocol'
import { hashPassword } from '../auth/passwords.js'
import { conflict, unprocessable } from '../errors.js'
import { newId } from '../ids.js'
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { refreshLimit } from './limits.js'
import { requireActivePlan } from './plans.js'

export interface SubscriberInput {
  name: string
  login: string
  password?: string
  email?: string
  planId: string
  agentId: string
  /** Already canonical (see parseIpPrefix). */
  address: string
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
  await requireActivePlan(tx, input.planId)
  const agent = await tx.agents.get(input.agentId)
  if (!agent) throw unprocessable('invalid_reference', `agent ${input.agentId} does not exist`)
  if (await tx.subscribers.byLogin(input.login)) throw conflict(`login "${input.login}" is taken`)
  const sameAddress = await tx.subscribers.byAgentAndAddress(input.agentId, input.address)
  if (sameAddress) {
    throw conflict(`address ${input.address} already belongs to subscriber ${sameAddress.id} on this agent`)
  }
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
