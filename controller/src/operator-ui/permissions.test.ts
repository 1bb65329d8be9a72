import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { may, ROLES } from '../auth/roles.js'
import { ChangeFeed } from '../live/change-feed.js'
import { testApp } from '../testing/test-app.js'
import { errorPage } from '../ui/html-errors.js'
import { hasForm } from './catalog-test-kit.js'
import { operatorUi } from './operator-ui.js'
import { declare, declaredPermission, undeclaredRefused } from './permissions.js'
import { staffTestKit } from './staff-test-kit.js'

/** Every operator form post and the permission it needs: a change here is a change of the role matrix. */
const EXPECTED: Record<string, string> = {
  '/login': 'public',
  '/logout': 'self',
  '/account/password': 'self',
  '/subscribers': 'subscribers',
  '/subscribers/:id': 'subscribers',
  '/subscribers/:id/topups': 'billing',
  '/subscribers/:id/topups/plan': 'billing',
  '/subscribers/:id/auto-topup': 'billing',
  '/subscribers/:id/payments': 'billing',
  '/orders/:id/payments': 'billing',
  '/settings/payment-instructions': 'billing',
  '/subscribers/:id/suspend': 'lifecycle',
  '/subscribers/:id/resume': 'lifecycle',
  '/subscribers/:id/delete': 'lifecycle',
  '/plans': 'catalog',
  '/plans/:id': 'catalog',
  '/plans/:id/retire': 'catalog',
  '/topup-plans': 'catalog',
  '/topup-plans/:id': 'catalog',
  '/topup-plans/:id/retire': 'catalog',
  '/agents': 'agents',
  '/agents/:id/revoke': 'agents',
  '/staff': 'staff',
  '/staff/:id/role': 'staff',
  '/staff/:id/disable': 'staff',
  '/staff/:id/enable': 'staff',
  '/staff/:id/password': 'staff',
  '/invoices/:id/payments': 'billing',
  '/invoices/:id/pay-from-balance': 'billing',
  '/invoices/:id/void': 'billing',
  '/topups/:id/reverse': 'billing',
  '/settings/billing': 'settings',
  '/settings/allowance': 'settings',
  '/settings/branding': 'settings',
  '/settings/branding/logo': 'settings',
  '/settings/branding/logo/remove': 'settings',
  '/notifications/:id/resend': 'subscribers',
  '/settings/notifications': 'settings',
  '/settings/webhooks': 'settings',
  '/settings/webhooks/:id/secret': 'settings',
  '/settings/webhooks/:id/delete': 'settings',
  '/settings/webhooks/:id/enable': 'settings',
  '/settings/webhooks/:id/disable': 'settings',
  '/settings/webhooks/:id/test': 'settings',
  '/settings/templates/:event/:channel': 'settings',
  '/settings/templates/:event/:channel/preview': 'settings',
  '/settings/templates/:event/:channel/reset': 'settings',
}

/** Each operator-UI post route with the permission its handlers declare (undefined: none). */
async function postRoutes() {
  const t = await testApp()
  const ui = operatorUi({
    store: t.store,
    env: t.env,
    isAgentConnected: () => false,
    changes: new ChangeFeed(),
  })
  const routes = new Map<string, string | undefined>()
  for (const r of ui.routes) {
    if (r.method !== 'POST') continue
    routes.set(r.path, routes.get(r.path) ?? declaredPermission(r.handler))
  }
  return routes
}

const shuffled = <T>(items: T[]) =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item)

describe('operator form permissions', () => {
  it('every post route declares the permission the role matrix gives it', async () => {
    const routes = await postRoutes()
    for (const [path, permission] of routes) {
      expect(permission, `POST ${path} declares no permission`).toBeDefined()
    }
    expect(Object.fromEntries(routes)).toEqual(EXPECTED)
  })

  it('refuses a post route that declares no permission, mounted as the app mounts it', async () => {
    let ran = 0
    const ui = new Hono()
    ui.use('*', undeclaredRefused())
    ui.post('/forgotten', (c) => {
      ran++
      return c.text('changed')
    })
    ui.post(
      '/declared',
      declare(async (_c, next) => next(), 'self'),
      (c) => c.text('ok'),
    )
    ui.get('/page', (c) => c.text('page'))
    const app = new Hono()
    app.onError(errorPage)
    app.post('/elsewhere', (c) => c.text('not ours'))
    app.route('/', ui)
    const post = (path: string) => app.request(path, { method: 'POST', headers: { accept: 'text/html' } })
    const refused = await post('/forgotten')
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('declares no permission')
    expect(ran).toBe(0)
    expect((await post('/declared')).status).toBe(200)
    expect((await post('/elsewhere')).status).toBe(200)
    expect((await post('/nowhere')).status).toBe(404)
    expect((await app.request('/page')).status).toBe(200)
  })

  // Every post route times every role: the cases grow with the routes, so more than the default time.
  it('each role may post exactly what its permissions allow; a refusal is a 403 page and changes nothing', {
    timeout: 20_000,
  }, async () => {
    const k = await staffTestKit()
    const target = await k.addAccount('target', 'support')
    const staffOf = {
      admin: k.admin,
      billing: await k.addAccount('bill', 'billing'),
      support: await k.addAccount('sup', 'support'),
    }
    const sold = (
      await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    ).body
    const ids: Record<string, string> = {
      invoices: sold.invoice.id,
      topups: sold.topUp.id,
      subscribers: k.subscriber.id,
      plans: k.plan.id,
      'topup-plans': k.topUpPlan.id,
      agents: k.agent.id,
      staff: target.id,
    }
    const routes = [...(await postRoutes()).entries()].filter(([path]) => path !== '/login')
    const cases = shuffled(
      routes.flatMap(([path, permission]) => ROLES.map((role) => ({ path, permission, role }))),
    )
    for (const { path, permission, role } of cases) {
      const concrete = path.replace(':id', ids[path.split('/')[1]!]!)
      const { post } = await k.sessionOf(staffOf[role].id)
      const before = k.snapshot()
      const reply = await post(concrete, { name: 'Changed', role: 'admin', newPassword: 'x'.repeat(20) })
      const label = `${role} POST ${concrete}`
      if (may(role, permission as never)) {
        expect(reply.status, label).not.toBe(403)
      } else {
        expect(reply.status, label).toBe(403)
        expect(reply.html, label).toContain(`the ${role} role, which may not`)
        expect(k.snapshot(), label).toBe(before)
      }
    }
  })

  it('a refused role is also refused without the CSRF token or cross-site: nothing changes', async () => {
    const k = await staffTestKit()
    const support = await k.addAccount('sup', 'support')
    const { browser, csrf } = await k.sessionOf(support.id)
    const before = k.snapshot()
    const path = `/subscribers/${k.subscriber.id}/payments`
    expect((await browser.post(path, { amount: '5' })).status).toBe(403)
    const cross = await browser.post(
      path,
      { _csrf: csrf, amount: '5' },
      { headers: { 'sec-fetch-site': 'cross-site' } },
    )
    expect(cross.status).toBe(403)
    expect(k.snapshot()).toBe(before)
  })

  it('shows each role only the forms it may send', async () => {
    const k = await staffTestKit()
    const as = async (role: 'admin' | 'billing' | 'support') =>
      (await k.sessionOf(role === 'admin' ? k.admin.id : (await k.addAccount(`x-${role}`, role)).id)).browser
    const pages = {
      subscriber: `/subscribers/${k.subscriber.id}`,
      subscribers: '/subscribers',
      plans: '/plans',
      plan: `/plans/${k.plan.id}`,
      agents: '/agents',
    }
    const forms = async (browser: Awaited<ReturnType<typeof as>>) => {
      const html = Object.fromEntries(
        await Promise.all(
          Object.entries(pages).map(async ([name, path]) => [name, (await browser.get(path)).html]),
        ),
      ) as Record<keyof typeof pages, string>
      return {
        topUp: hasForm(html.subscriber, 'manual-topup-title'),
        payment: hasForm(html.subscriber, 'payment-title'),
        edit: hasForm(html.subscriber, 'edit-subscriber-title'),
        suspend: hasForm(html.subscriber, 'suspend-title'),
        deleteLink: html.subscriber.includes(`href="/subscribers/${k.subscriber.id}/delete"`),
        newSubscriber: html.subscribers.includes('href="/subscribers/new"'),
        newPlan: hasForm(html.plans, 'new-plan-title'),
        editPlan: hasForm(html.plan, 'edit-plan-title'),
        enrol: hasForm(html.agents, 'enrol-agent-title'),
        staffLink: html.plans.includes('href="/staff"'),
        auditLink: html.plans.includes('href="/audit"'),
      }
    }
    expect(await forms(await as('admin'))).toEqual({
      topUp: true,
      payment: true,
      edit: true,
      suspend: true,
      deleteLink: true,
      newSubscriber: true,
      newPlan: true,
      editPlan: true,
      enrol: true,
      staffLink: true,
      auditLink: true,
    })
    expect(await forms(await as('billing'))).toEqual({
      topUp: true,
      payment: true,
      edit: true,
      suspend: true,
      deleteLink: true,
      newSubscriber: true,
      newPlan: false,
      editPlan: false,
      enrol: false,
      staffLink: false,
      auditLink: true,
    })
    expect(await forms(await as('support'))).toEqual({
      topUp: false,
      payment: false,
      edit: false,
      suspend: false,
      deleteLink: false,
      newSubscriber: false,
      newPlan: false,
      editPlan: false,
      enrol: false,
      staffLink: false,
      auditLink: true,
    })
    const support = (await k.sessionOf(Object.values(k.data.users).find((u) => u.role === 'support')!.id))
      .browser
    for (const path of [
      '/staff',
      '/subscribers/new',
      `/agents/${k.agent.id}/revoke`,
      `/subscribers/${k.subscriber.id}/delete`,
    ]) {
      expect((await support.get(path)).status, path).toBe(403)
    }
  })
})
