/** What the portal's home page shows, read for the session's subscriber only. */
import type { DomainEnv } from '../domain/env.js'
import { ApiError } from '../errors.js'
import { type PaymentSetup, providerWaysOffered } from '../payments/ways-to-pay.js'
import { loadMeView } from '../portal/me-view.js'
import { phoneOf } from '../portal/purchase.js'
import type { AutoTopUp, PortalSession } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { projectRunOut, type RunOut } from '../ui/run-out.js'
import type { WayOffered } from './buy-form.js'
import { type TopUpStatus, topUpStatus } from './topup-status.js'
import { type UsageBanner, usageBanner } from './usage-banner.js'

export type MeView = Awaited<ReturnType<typeof loadMeView>>

export interface HomeQuery {
  /** `?topup=`: the top-up just bought, whose progress the page reports. */
  topUpId?: string | undefined
  /** `?was=`: the state the customer bought in. */
  was?: string | undefined
}

export interface HomeView {
  me: MeView
  runOut: RunOut
  /** "You have used 80% of your data" or that it is all used; none while suspended (that notice says why). */
  banner: UsageBanner | undefined
  periodEndMs: number
  /** The settings, only when the operator lets the customer change them. */
  autoTopUp?: AutoTopUp | undefined
  topUp?: { status: TopUpStatus; bytes: number } | undefined
  /** The ways to pay through a provider that are on offer now (the balance is always there). */
  ways: WayOffered[]
}

/** The same answer for a top-up of someone else as for one that never existed. */
const noSuchTopUp = () => new ApiError(404, 'not_found', 'There is no such top-up on your account.')

export async function loadHome(
  tx: Tx,
  env: DomainEnv,
  session: PortalSession,
  query: HomeQuery,
  payments: PaymentSetup = {},
): Promise<HomeView> {
  const me = await loadMeView(tx, env, session)
  const sub = await tx.subscribers.get(session.subscriberId)
  if (!sub) throw new Error(`portal session for missing subscriber ${session.subscriberId}`)
  const periodEndMs = Date.parse(me.usage.periodEnd)
  const runOut = projectRunOut({
    usedBytes: me.usage.usedBytes,
    limitBytes: me.usage.limitBytes,
    sinceMs: Math.max(Date.parse(me.usage.periodStart), sub.createdAtMs),
    periodEndMs,
    nowMs: env.clock.now(),
    recentRate: sub.recentRate,
  })
  let topUp: HomeView['topUp']
  if (query.topUpId !== undefined) {
    const found = await tx.topUps.get(query.topUpId)
    const status = topUpStatus({
      sub,
      limitBytes: me.usage.limitBytes,
      usedBytes: me.usage.usedBytes,
      topUp: found,
      was: query.was,
    })
    if (!status || !found) throw noSuchTopUp()
    topUp = { status, bytes: found.bytes }
  }
  const autoTopUp = sub.autoTopUp?.customerMayChange ? sub.autoTopUp : undefined
  const ways = (await providerWaysOffered(tx, payments)).map(({ way, provider }) => ({
    way,
    label: provider.label,
    payer: provider.payerField ? { label: provider.payerField.label, value: phoneOf(sub) } : undefined,
  }))
  const banner = me.suspension
    ? undefined
    : usageBanner({
        usedBytes: me.usage.usedBytes,
        limitBytes: me.usage.limitBytes,
        notifyAtPercent: me.plan.notifyAtPercent,
        onCap: me.plan.onCap,
        state: me.state,
      })
  return { me, runOut, banner, periodEndMs, autoTopUp, topUp, ways }
}
