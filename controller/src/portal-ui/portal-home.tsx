/** The portal's home page: data left (live), a usage banner (live), a purchase's progress (live), buy a top-up, add money, auto top-up. */
import type { Context } from 'hono'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { Brand } from '../ui/brand.js'
import type { Flash } from '../ui/flash.js'
import { AutoTopUpForm } from './auto-topup-form.js'
import { AutoTopUpPauseNotice } from './auto-topup-pause-notice.js'
import { BalanceForm } from './balance-form.js'
import { BuyForm } from './buy-form.js'
import { type HomeView, loadHome } from './home-view.js'
import { PortalPage } from './portal-layout.js'
import { type PortalPageKit, portalFrame } from './portal-page-auth.js'
import { SuspendedNotice } from './suspended-notice.js'
import { TopUpStatusNotice } from './topup-status-notice.js'
import { UsageBannerNotice } from './usage-banner-notice.js'
import { UsageSummary } from './usage-summary.js'

export interface HomePageProps {
  view: HomeView
  csrf: string
  brand: Brand
  flash?: Flash | undefined
  timeZone: string
}

export function HomePage({ view, csrf, brand, flash, timeZone }: HomePageProps) {
  const offers = view.me.topUpPlans
  return (
    <PortalPage title="Your data" csrf={csrf} brand={brand} flash={flash} live>
      <h1>Your data</h1>
      {view.me.suspension ? <SuspendedNotice reason={view.me.suspension.reason} /> : null}
      {view.topUp ? <TopUpStatusNotice status={view.topUp.status} topUpBytes={view.topUp.bytes} /> : null}
      <UsageBannerNotice
        banner={view.banner}
        periodEndMs={view.periodEndMs}
        timeZone={timeZone}
        canBuy={offers.length > 0 && !view.me.suspension}
      />
      <AutoTopUpPauseNotice
        pause={view.autoTopUpPause}
        timeZone={timeZone}
        canBuy={offers.length > 0 && !view.me.suspension}
      />
      <section class="card">
        <UsageSummary me={view.me} runOut={view.runOut} periodEndMs={view.periodEndMs} timeZone={timeZone} />
      </section>
      {view.me.suspension ? null : (
        <BuyForm offers={offers} csrf={csrf} balance={view.me.balance} ways={view.ways} />
      )}
      <BalanceForm csrf={csrf} ways={view.ways} balance={view.me.balance} />
      {view.autoTopUp ? (
        <AutoTopUpForm
          settings={view.autoTopUp}
          offers={offers}
          csrf={csrf}
          currency={view.me.balance.currency}
        />
      ) : null}
      <nav aria-label="Your account">
        <p>
          <a href="/portal/usage">Usage history</a>
          {' · '}
          <a href="/portal/history">History</a>
          {' · '}
          <a href="/portal/alerts">Alerts</a>
        </p>
      </nav>
    </PortalPage>
  )
}

/** Renders the home page for the request's session (set by the caller). */
export async function renderHome(c: Context<PortalEnv>, kit: PortalPageKit): Promise<Response> {
  const { store, env } = kit.deps
  const query = { topUpId: c.req.query('topup'), was: c.req.query('was') }
  const view = await store.peek((tx) => loadHome(tx, env, c.var.session, query, kit.deps))
  return c.html(<HomePage view={view} {...portalFrame(c)} timeZone={env.timeZone} />)
}
