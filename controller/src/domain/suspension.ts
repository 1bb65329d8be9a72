/**
 * Suspending a subscriber (an unpaid bill, abuse): its limit terms block whatever the allowance
 * until an operator resumes it. Both are absolute, so repeating one is harmless.
 */
import type { Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { refreshLimit } from './limits.js'
import { liveSubscriber } from './live-subscriber.js'

export interface LifecycleResult {
  subscriber: Subscriber
  /** Whether anything changed (a repeat changes nothing and audits nothing). */
  changed: boolean
}

/**
 * Suspends with `reason` (already trimmed and bounded). The same reason again changes nothing; a
 * new reason replaces the old one (audited) and keeps the original start.
 */
export async function suspendSubscriber(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  reason: string,
): Promise<LifecycleResult> {
  const sub = await liveSubscriber(tx, id)
  if (sub.suspension?.reason === reason) return { subscriber: sub, changed: false }
  const atMs = sub.suspension?.atMs ?? env.clock.now()
  const suspended: Subscriber = { ...sub, suspension: { reason, atMs, actor } }
  await tx.subscribers.update(suspended)
  await audit(tx, env, actor, 'subscriber.suspend', 'subscriber', id, { reason })
  return { subscriber: await refreshLimit(tx, env, suspended), changed: true }
}

/** Lifts a suspension: the normal limit is back in the same transaction (pushed after the commit). */
export async function resumeSubscriber(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
): Promise<LifecycleResult> {
  const sub = await liveSubscriber(tx, id)
  if (!sub.suspension) return { subscriber: sub, changed: false }
  const { suspension, ...resumed } = sub
  await tx.subscribers.update(resumed)
  await audit(tx, env, actor, 'subscriber.resume', 'subscriber', id, { reason: suspension.reason })
  return { subscriber: await refreshLimit(tx, env, resumed), changed: true }
}
