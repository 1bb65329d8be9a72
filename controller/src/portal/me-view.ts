/** What a customer sees of their own account: usage, state, balance, offers. No ids of others, no secrets. */

import { alertChoicesOf } from '../domain/alert-choices.js'
import { allowanceJson, allowanceShown } from '../domain/allowance-shown.js'
import type { DomainEnv } from '../domain/env.js'
import { grossOf } from '../domain/tax.js'
import { usageView } from '../domain/usage.js'
import { DEFAULT_NOTIFY_AT_PERCENT, type PortalSession } from '../store/entities.js'
import type { Tx } from '../store/store.js'

export async function loadMeView(tx: Tx, env: DomainEnv, session: PortalSession) {
  const sub = await tx.subscribers.get(session.subscriberId)
  if (!sub) throw new Error(`portal session for missing subscriber ${session.subscriberId}`)
  const plan = await tx.plans.get(sub.planId)
  if (!plan) throw new Error(`subscriber ${sub.id} refers to missing plan ${sub.planId}`)
  const topUps = await tx.topUps.forSubscriber(sub.id)
  const offers = (await tx.topUpPlans.list()).filter((p) => p.retiredAtMs === undefined)
  return {
    name: sub.name,
    login: sub.login,
    email: sub.email,
    phone: sub.phone,
    postalAddress: sub.postalAddress,
    // The operator's reason is meant for the customer; who suspended and the notes are not.
    suspension: sub.suspension && {
      reason: sub.suspension.reason,
      since: new Date(sub.suspension.atMs).toISOString(),
    },
    state: sub.state,
    balance: sub.balance,
    usage: usageView(sub, plan, topUps, env.clock.now(), env.timeZone),
    // Their own buckets: the plan's data, their top-ups, what rolled over.
    ...allowanceJson(allowanceShown(sub, plan, topUps, env.clock.now(), env.timeZone)),
    plan: {
      name: plan.name,
      capBytes: plan.capBytes,
      onCap: plan.onCap,
      throttleKbps: plan.throttleKbps,
      // The percentages of the allowance the customer is told at (and the home page's banner uses).
      notifyAtPercent: plan.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT,
    },
    topUpPlans: offers.map((p) => ({
      id: p.id,
      name: p.name,
      bytes: p.bytes,
      /** What the customer pays: tax added when the plan's rate is not included in its price. */
      price: grossOf(p.price, p.tax),
      ...(p.tax ? { taxIncluded: { ratePercent: p.tax.rateBp / 100 } } : {}),
      validityDays: p.validityDays,
    })),
    autoTopUp: sub.autoTopUp ?? { enabled: false },
    alerts: alertChoicesOf(sub),
    // Again here, so a reloaded page can pick it up without logging in anew.
    csrfToken: session.csrfToken,
  }
}
