import { describe, expect, it } from 'vitest'
import type { Role } from '../auth/roles.js'
import { refusalIn } from '../testing/field-marks.js'
import { STAFF_PASSWORD, staffTestKit } from './staff-test-kit.js'

const enabledAdmins = (users: Record<string, { role: string; disabledAtMs?: number }>) =>
  Object.values(users).filter((u) => u.role === 'admin' && u.disabledAtMs === undefined).length

describe('staff accounts', () => {
  it('an admin adds an account that logs in with its own role, and the audit log names the admin', async () => {
    const k = await staffTestKit()
    const { post } = await k.sessionOf(k.admin.id)
    const added = await post('/staff', {
      username: 'Bea',
      name: 'Bea Billing',
      role: 'billing',
      newPassword: 'bea-password-long',
    })
    expect(added.status).toBe(303)
    const bea = Object.values(k.data.users).find((u) => u.username === 'bea')!
    expect(bea).toMatchObject({ name: 'Bea Billing', role: 'billing' })
    expect(JSON.stringify(k.data.audit)).not.toContain(bea.passwordHash)
    expect(k.data.audit.at(-1)).toMatchObject({
      actor: `user:${k.admin.id}`,
      action: 'staff.create',
      entityId: bea.id,
    })
    const { browser, reply } = await k.logIn('bea', 'bea-password-long')
    expect(reply.status).toBe(303)
    const home = await browser.get('/')
    expect(home.html).toContain('bea (billing)')
    expect(home.html).not.toContain('href="/staff"')
    expect((await browser.get('/staff')).status).toBe(403)
  })

  it('refuses bad input and changes nothing', async () => {
    const k = await staffTestKit()
    await k.addAccount('taken', 'support')
    const { post, browser } = await k.sessionOf(k.admin.id)
    const good = { username: 'newbie', name: 'New', role: 'support', newPassword: 'a-long-enough-password' }
    const bad: Record<string, string>[] = [
      { ...good, username: 'taken' },
      { ...good, username: 'TAKEN' },
      { ...good, username: 'has space' },
      { ...good, username: '' },
      { ...good, name: '' },
      { ...good, role: 'root' },
      { ...good, newPassword: 'short' },
      { ...good, newPassword: 'newbie' },
      { ...good, username: 'long-login-name', newPassword: 'LONG-LOGIN-NAME' },
      { ...good, newPassword: 'p'.repeat(129) },
    ]
    for (const form of bad) {
      const before = k.snapshot()
      const reply = await post('/staff', form)
      expect(reply.status, JSON.stringify(form)).toBe(303)
      expect(k.snapshot(), JSON.stringify(form)).toBe(before)
      expect((await browser.get(reply.location!)).html).toContain('class="notice error"')
    }
    const taken = await post('/staff', { ...good, username: 'taken' })
    expect(refusalIn((await browser.get(taken.location!)).html)).toBe(
      'Login: This login is taken: choose another.',
    )
  })

  it('never disables or demotes the last enabled admin, whatever the order of changes', async () => {
    const k = await staffTestKit()
    const accounts = [k.admin]
    for (const [i, role] of (['admin', 'billing', 'support', 'admin'] as Role[]).entries()) {
      accounts.push(await k.addAccount(`staff${i}`, role))
    }
    const sessions = new Map<string, Awaited<ReturnType<typeof k.sessionOf>>>()
    const actions = ['disable', 'enable', 'role:admin', 'role:billing', 'role:support']
    for (let step = 0; step < 120; step++) {
      // The acting admin may lose admin along the way; act as any enabled admin left.
      const actor = Object.values(k.data.users).find(
        (u) => u.role === 'admin' && u.disabledAtMs === undefined,
      )!
      if (!sessions.has(actor.id)) sessions.set(actor.id, await k.sessionOf(actor.id))
      const session = sessions.get(actor.id)!
      const as = session.post
      const target = accounts[Math.floor(Math.random() * accounts.length)]!
      const action = actions[Math.floor(Math.random() * actions.length)]!
      const before = k.snapshot()
      const admins = enabledAdmins(k.data.users)
      const [verb, role] = action.split(':')
      const reply =
        verb === 'role'
          ? await as(`/staff/${target.id}/role`, { role: role! })
          : await as(`/staff/${target.id}/${verb}`)
      expect(reply.status).toBe(303)
      expect(reply.location).not.toMatch(/^\/login/)
      // Disabling ends the target's sessions: it needs a new one once enabled again.
      if (verb === 'disable') sessions.delete(target.id)
      expect(enabledAdmins(k.data.users)).toBeGreaterThanOrEqual(1)
      const current = k.data.users[target.id]!
      const was = JSON.parse(before).users[target.id]
      const wasLastAdmin = admins === 1 && was.role === 'admin' && was.disabledAtMs === undefined
      if (wasLastAdmin && (verb === 'disable' || (verb === 'role' && role !== 'admin'))) {
        expect(k.snapshot()).toBe(before)
        const page = await session.browser.get(reply.location!)
        expect(page.html).toContain('is the last admin')
      } else if (verb === 'role') {
        expect(current.role).toBe(role)
      } else {
        expect(current.disabledAtMs === undefined).toBe(verb === 'enable')
      }
    }
    const alone = await staffTestKit()
    const { post: only } = await alone.sessionOf(alone.admin.id)
    const before = alone.snapshot()
    await only(`/staff/${alone.admin.id}/disable`)
    await only(`/staff/${alone.admin.id}/role`, { role: 'support' })
    expect(alone.snapshot()).toBe(before)
  })

  it('a disabled account’s session stops at once and its password no longer logs in', async () => {
    const k = await staffTestKit()
    const sup = await k.addAccount('sup', 'support')
    const own = await k.sessionOf(sup.id)
    expect((await own.browser.get('/')).status).toBe(200)
    const { post } = await k.sessionOf(k.admin.id)
    expect((await post(`/staff/${sup.id}/disable`)).status).toBe(303)
    const after = await own.browser.get('/')
    expect(after.status).toBe(303)
    expect(after.location).toMatch(/^\/login/)
    expect((await k.logIn('sup', STAFF_PASSWORD)).reply.status).toBe(401)
    // Enabled again, the password works again (the ended session stays ended).
    await post(`/staff/${sup.id}/enable`)
    expect((await own.browser.get('/')).status).toBe(303)
    expect((await k.logIn('sup', STAFF_PASSWORD)).reply.status).toBe(303)
  })

  it('a role change takes effect on the next request of an open session', async () => {
    const k = await staffTestKit()
    const bill = await k.addAccount('bill', 'billing')
    const own = await k.sessionOf(bill.id)
    const pay = () =>
      own.post(`/subscribers/${k.subscriber.id}/payments`, {
        amount: '1.00',
        idempotencyKey: crypto.randomUUID(),
      })
    expect((await pay()).status).toBe(303)
    expect(Object.keys(k.data.payments)).toHaveLength(1)
    const { post } = await k.sessionOf(k.admin.id)
    await post(`/staff/${bill.id}/role`, { role: 'support' })
    const before = k.snapshot()
    expect((await pay()).status).toBe(403)
    expect(k.snapshot()).toBe(before)
  })

  it('a password reset ends the account’s sessions; the new password works and the old does not', async () => {
    const k = await staffTestKit()
    const sup = await k.addAccount('sup', 'support')
    const own = await k.sessionOf(sup.id)
    const { post } = await k.sessionOf(k.admin.id)
    expect((await post(`/staff/${sup.id}/password`, { newPassword: 'reset-password-123' })).status).toBe(303)
    expect((await own.browser.get('/')).status).toBe(303)
    expect((await k.logIn('sup', STAFF_PASSWORD)).reply.status).toBe(401)
    expect((await k.logIn('sup', 'reset-password-123')).reply.status).toBe(303)
    // One's own password is changed on the account page (which asks for the current one).
    const before = k.snapshot()
    await post(`/staff/${k.admin.id}/password`, { newPassword: 'another-password-1' })
    expect(k.snapshot()).toBe(before)
  })

  it('the new forms refuse a missing CSRF token and a cross-site post', async () => {
    const k = await staffTestKit()
    const { browser, csrf } = await k.sessionOf(k.admin.id)
    const form = { username: 'eve', name: 'Eve', role: 'admin', newPassword: 'eve-password-long' }
    const before = k.snapshot()
    expect((await browser.post('/staff', form)).status).toBe(403)
    expect((await browser.post('/staff', { ...form, _csrf: 'x'.repeat(43) })).status).toBe(403)
    const cross = await browser.post(
      '/staff',
      { ...form, _csrf: csrf },
      { headers: { 'sec-fetch-site': 'cross-site' } },
    )
    expect(cross.status).toBe(403)
    const password = {
      _csrf: 'wrong',
      currentPassword: 'x',
      newPassword: 'y'.repeat(20),
      confirmPassword: 'y'.repeat(20),
    }
    expect((await browser.post('/account/password', password)).status).toBe(403)
    expect(k.snapshot()).toBe(before)
  })
})
