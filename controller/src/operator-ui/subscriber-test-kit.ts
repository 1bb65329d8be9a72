/** Route-test helpers for the subscriber pages: a logged-in operator's browser, seeded books, usage set by hand. */
import type { Hono } from 'hono'
import { createApp } from '../app.js'
import { currentPeriod } from '../domain/usage.js'
import type { EnforcementState } from '../store/entities.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, type TestAppOptions, testApp } from '../testing/test-app.js'

export const ADMIN = { username: 'admin', password: TEST_ADMIN_PASSWORD }

export async function subscriberTestKit(options: TestAppOptions = {}) {
  const t = await testApp(options)
  const seeded = await t.seed()
  /** Subscriber ids whose limits commits changed (see createApp). */
  const limitsChanged: string[] = []
  /** Agent ids the fake hub reports connected. */
  const connected = new Set<string>()
  const app: Hono = createApp({
    store: t.store,
    env: t.env,
    isAgentConnected: (id) => connected.has(id),
    limitsChanged: (ids) => limitsChanged.push(...ids),
  })
  const browser = new BrowserCaller(app)
  const login = await browser.post('/login', ADMIN)
  if (login.status !== 303) throw new Error(`operator login failed: ${login.status}`)

  /**
   * Books usage for the current period (and optionally a state), as the agent's reports would, for
   * a subscriber that has existed since before the period began.
   */
  async function setUsage(
    id: string,
    usedBytes: number,
    extra: { state?: EnforcementState; daily?: number[] } = {},
  ) {
    await t.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(id))!
      const period = currentPeriod(sub, t.env.clock.now(), t.env.timeZone)
      await tx.subscribers.update({
        ...sub,
        usedBytes,
        usagePeriodStartMs: period.startMs,
        createdAtMs: Math.min(sub.createdAtMs, period.startMs),
        ...(extra.state ? { state: extra.state } : {}),
        ...(extra.daily ? { dailyUsage: { periodStartMs: period.startMs, bytes: extra.daily } } : {}),
      })
    })
  }

  /** Another subscriber on the seeded plan and agent. */
  async function addSubscriber(name: string, address: string) {
    const reply = await t.call('POST', '/subscribers', {
      name,
      login: name.toLowerCase().replace(/\W/g, ''),
      planId: seeded.plan.id,
      agentId: seeded.agent.id,
      address,
    })
    if (reply.status !== 201) throw new Error(`subscriber not created: ${JSON.stringify(reply.body)}`)
    return reply.body as { id: string; name: string }
  }

  return { ...t, ...seeded, app, browser, limitsChanged, connected, setUsage, addSubscriber }
}

/** The value of a hidden or text field `name` inside the form named by the heading `titleId`. */
export function fieldIn(html: string, titleId: string, name: string): string {
  const form = new RegExp(`<form[^>]*aria-labelledby="${titleId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1]
  const match = form && new RegExp(`name="${name}" value="([^"]*)"`).exec(form)
  if (!match?.[1]) throw new Error(`no field ${name} in form ${titleId}`)
  return match[1]
}

/** The text of the flash notice on a page, if any, as the person reads it (HTML entities decoded). */
export function flashIn(html: string): { kind: string; text: string } | undefined {
  const match = /<div class="notice (\w+)" role="\w+">([^<]*)</.exec(html)
  if (!match) return undefined
  const text = match[2]!.replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) => ENTITIES[e]!)
  return { kind: match[1]!, text }
}

const ENTITIES: Record<string, string> = { quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' }
