/** Whether a subscriber logging in now is open, throttled, blocked or suspended, from the controller's books (not the agent's last report). */
import type { DomainEnv } from '../domain/env.js'
import { currentLimit } from '../domain/limits.js'
import type { Tx } from '../store/store.js'

export type AdmissionState = 'open' | 'throttled' | 'blocked' | 'suspended'

export interface Admission {
  subscriberId: string
  login: string
  state: AdmissionState
  /** The rate that goes with the state: the plan's own when open, the throttle when throttled. */
  downKbps?: number
  upKbps?: number
}

/**
 * The subscriber with this RADIUS User-Name and its state now, or undefined (unknown or deleted).
 * Reads the limit as the agents get it, so a login is held to the same cap as traffic: capped when
 * used >= limit outside free hours, as the agent enforces it. Bringing the limit up to date may
 * bump its version (a top-up just expired, a new period): that is a commit, pushed like any other.
 */
export async function admissionOf(tx: Tx, env: DomainEnv, login: string): Promise<Admission | undefined> {
  const found = await tx.subscribers.byLogin(login)
  if (!found || found.deletedAtMs !== undefined) return undefined
  const plan = await tx.plans.get(found.planId)
  if (!plan) throw new Error(`subscriber ${found.id} refers to missing plan ${found.planId}`)
  const { subscriber, limit } = await currentLimit(tx, env, found)
  const base = { subscriberId: subscriber.id, login: subscriber.login }
  if (subscriber.suspension) return { ...base, state: 'suspended' }
  const nowMs = env.clock.now()
  const free = (limit.freeWindows ?? []).some(
    (w) => Date.parse(w.start) <= nowMs && nowMs < Date.parse(w.end),
  )
  if (free || limit.usedBytes < limit.limitBytes) {
    return { ...base, state: 'open', ...rates(plan.rateDownKbps, plan.rateUpKbps) }
  }
  if (limit.onCap === 'throttle' && limit.throttleKbps !== undefined) {
    return { ...base, state: 'throttled', ...rates(limit.throttleKbps, limit.throttleUpKbps) }
  }
  return { ...base, state: 'blocked' }
}

/** Up is down's rate when the plan gives only one (as the agents throttle). */
function rates(downKbps: number | undefined, upKbps: number | undefined) {
  if (downKbps === undefined) return {}
  return { downKbps, upKbps: upKbps ?? downKbps }
}
