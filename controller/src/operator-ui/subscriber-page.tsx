/** One subscriber: who they are, their usage (live), the top-up and payment forms, and their money history. */

import type { Role } from '../auth/roles.js'
import { may } from '../auth/roles.js'
import { pauseFacts, pauseSentence } from '../ui/auto-topup-pause.js'
import { autoTopUpTerms } from '../ui/auto-topup-summary.js'
import { bytes, money } from '../ui/format.js'
import { UsageHistorySection } from '../ui/usage-history-section.js'
import { alertChoicesText } from './alert-choices-text.js'
import { LifecycleNotice, Lines } from './lifecycle-notice.js'
import { subscriberAddress } from './subscriber-address.js'
import { SubscriberForms } from './subscriber-forms.js'
import { SubscriberHistory } from './subscriber-history.js'
import { SubscriberMessages } from './subscriber-messages.js'
import type { SubscriberPageData } from './subscriber-page-data.js'
import { SubscriberUsage } from './subscriber-usage.js'

export interface SubscriberPageProps {
  d: SubscriberPageData
  csrf: string
  role: Role
  timeZone: string
  currency: string
}

export function SubscriberPageBody({ d, csrf, role, timeZone, currency }: SubscriberPageProps) {
  return (
    <>
      <h1>{d.sub.name}</h1>
      <LifecycleNotice sub={d.sub} timeZone={timeZone} />
      <div class="columns">
        <SubscriberFacts d={d} timeZone={timeZone} currency={currency} />
        <SubscriberUsage d={d} timeZone={timeZone} />
      </div>
      <UsageHistorySection
        h={d.history}
        timeZone={timeZone}
        pagePath={`/subscribers/${encodeURIComponent(d.sub.id)}#usage-history`}
        csvPath={`/subscribers/${encodeURIComponent(d.sub.id)}/usage.csv`}
      />
      {/* A deleted subscriber takes no changes: its page only shows its books. */}
      {d.sub.deletedAtMs === undefined ? (
        <SubscriberForms d={d} csrf={csrf} role={role} currency={currency} />
      ) : null}
      <SubscriberHistory d={d} timeZone={timeZone} reverseCsrf={may(role, 'billing') ? csrf : undefined} />
      <SubscriberMessages subscriberId={d.sub.id} messages={d.messages} timeZone={timeZone} />
    </>
  )
}

function SubscriberFacts({
  d,
  timeZone,
  currency,
}: {
  d: SubscriberPageData
  timeZone: string
  currency: string
}) {
  const { sub, plan } = d
  const auto = sub.autoTopUp
  const declined = sub.autoTopUpDeclined
  const pause =
    auto?.enabled && declined?.periodStartMs === d.period.startMs
      ? pauseFacts(auto, declined, sub, d.autoPlan, currency)
      : undefined
  return (
    <section id="account" data-live class="card" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <dl class="facts">
        <dt>Login</dt>
        <dd>{sub.login}</dd>
        {sub.email ? (
          <>
            <dt>E-mail</dt>
            <dd>{sub.email}</dd>
          </>
        ) : null}
        {sub.phone ? (
          <>
            <dt>Phone</dt>
            <dd>{sub.phone}</dd>
          </>
        ) : null}
        {sub.postalAddress ? (
          <>
            <dt>Postal address</dt>
            <dd>
              <Lines text={sub.postalAddress} />
            </dd>
          </>
        ) : null}
        <dt>Address</dt>
        <dd>{subscriberAddress(sub)}</dd>
        <dt>Plan</dt>
        <dd>
          <a href={`/plans/${encodeURIComponent(plan.id)}`}>{plan.name}</a>
          {` (${bytes(plan.capBytes)}, ${plan.onCap === 'block' ? 'blocked' : 'throttled'} at the cap)`}
        </dd>
        <dt>Agent</dt>
        <dd>{d.agentName}</dd>
        <dt>Billing day</dt>
        <dd>{sub.billingDay === 'last' ? 'last day of the month' : String(sub.billingDay)}</dd>
        <dt>Balance</dt>
        <dd>{money(sub.balance)}</dd>
        <dt>History</dt>
        <dd>
          <a href={`/audit?target=${encodeURIComponent(sub.id)}`}>Audit log</a>
        </dd>
        <dt>Auto top-up</dt>
        <dd>
          {auto?.enabled
            ? `On: ${d.autoPlan?.name ?? auto.topUpPlanId}, ${autoTopUpTerms(auto, currency)}`
            : 'Off'}
          {pause ? (
            <p class="notice error" id="auto-topup-paused">
              {pauseSentence(pause, timeZone)}
            </p>
          ) : null}
        </dd>
        <dt>Alerts</dt>
        <dd>{alertChoicesText(sub)}</dd>
        {sub.notes ? (
          <>
            <dt>Notes</dt>
            <dd>
              <Lines text={sub.notes} />
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  )
}
