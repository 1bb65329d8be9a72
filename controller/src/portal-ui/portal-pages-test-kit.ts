/** Route-test helpers for the portal pages: the portal kit's customers, a no-JS browser, and what a hub does. */
import { PROTOCOL_VERSION } from '@capd/protocol'
import { recordStates } from '../domain/agent-state.js'
import { limitsFor } from '../domain/limits.js'
import { type PortalKitOptions, portalKit } from '../portal/portal-test-kit.js'
import type { EnforcementState } from '../store/entities.js'
import { BrowserCaller, csrfFrom } from '../testing/browser-caller.js'

export { ANNA, BEN } from '../portal/portal-test-kit.js'

/** The value of the hidden field `name` on a page. */
export function fieldFrom(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)
  if (!match?.[1]) throw new Error(`no ${name} field on the page`)
  return match[1]
}

export async function pagesKit(options: PortalKitOptions = {}) {
  const k = await portalKit(options)

  /** A browser logged in as `who`. */
  async function browserFor(who: { login: string; password: string }): Promise<BrowserCaller> {
    const browser = new BrowserCaller(k.app)
    const reply = await browser.post('/portal/login', who)
    if (reply.status !== 303) throw new Error(`login failed: ${reply.status}`)
    return browser
  }

  /** Loads the home page and buys the top-up plan with that page's CSRF token and idempotency key. */
  async function buy(browser: BrowserCaller, extra: Record<string, string> = {}) {
    const page = (await browser.get('/portal')).html
    const form = {
      _csrf: csrfFrom(page),
      idempotencyKey: fieldFrom(page, 'idempotencyKey'),
      topUpPlanId: k.topUpPlan.id,
      ...extra,
    }
    return { form, reply: await browser.post('/portal/topups', form) }
  }

  /**
   * What the hub and the agent do after a push: the current limit is computed (and versioned),
   * then the agent reports it enforces that version in `state`.
   */
  async function agentApplies(subscriberId: string, state: EnforcementState): Promise<void> {
    const [limit] = await k.store.transact((tx) => limitsFor(tx, k.env, [subscriberId]))
    await k.store.transact((tx) =>
      recordStates(tx, k.env, k.agent.id, {
        v: PROTOCOL_VERSION,
        type: 'state',
        atMs: k.clock.now(),
        subscribers: [
          { subscriberId, state, limitVersion: limit!.limitVersion, usedBytes: limit!.usedBytes },
        ],
      }),
    )
  }

  /** Books usage up to the subscriber's limit, as the agents' reports would have. */
  async function useUp(subscriberId: string): Promise<void> {
    await k.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(subscriberId))!
      await tx.subscribers.update({ ...sub, usedBytes: sub.limitTerms!.limitBytes })
    })
  }

  return { ...k, browserFor, buy, agentApplies, useUp }
}
