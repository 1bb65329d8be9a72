/** Route-test helpers for the plans, top-up plans and agents pages: a logged-in browser on an app with spied hub hooks. */
import type { Hono } from 'hono'
import { createApp } from '../app.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, type TestAppOptions, testApp } from '../testing/test-app.js'

export async function catalogTestKit(options: TestAppOptions = {}) {
  const t = await testApp(options)
  const seeded = await t.seed()
  /** The subscriber ids of each commit that changed limits (see createApp). */
  const limitsChanged: string[][] = []
  /** Agent ids agentRevoked was called with. */
  const revoked: string[] = []
  /** Agent ids the fake hub reports connected. */
  const connected = new Set<string>()
  const app: Hono = createApp({
    store: t.store,
    env: t.env,
    isAgentConnected: (id) => connected.has(id),
    limitsChanged: (ids) => limitsChanged.push([...ids]),
    agentRevoked: (id) => revoked.push(id),
  })
  const browser = new BrowserCaller(app)
  const login = await browser.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })
  if (login.status !== 303) throw new Error(`operator login failed: ${login.status}`)
  /** The logged-in session's CSRF token (the one every form carries). */
  const csrf = Object.values(t.data.operatorSessions)[0]!.csrfToken
  /** Posts a form as the page would, then follows the redirect to read the message left. */
  async function submit(action: string, form: Record<string, string>) {
    const reply = await browser.post(action, { _csrf: csrf, ...form })
    const next = reply.location ? await browser.get(reply.location) : undefined
    return { reply, next }
  }
  return { ...t, ...seeded, app, browser, csrf, submit, limitsChanged, revoked, connected }
}

/** Whether the page has a form named by the heading with id `titleId`. */
export const hasForm = (html: string, titleId: string) =>
  new RegExp(`<form[^>]*aria-labelledby="${titleId}"`).test(html)
