import { describe, expect, it } from 'vitest'
import { STAFF_PASSWORD, staffTestKit } from './staff-test-kit.js'

const NEW = 'a-brand-new-password'

describe('changing one’s own password', () => {
  it('every role has the page, linked from the top bar', async () => {
    const k = await staffTestKit()
    const sup = await k.addAccount('sup', 'support')
    const { browser } = await k.sessionOf(sup.id)
    const page = await browser.get('/account/password')
    expect(page.status).toBe(200)
    expect(page.html).toContain('href="/account/password"')
    expect(page.html).toMatch(/<form[^>]*action="\/account\/password"/)
    expect(page.html).toContain('autocomplete="current-password"')
  })

  it('refuses a wrong current password, two different new ones, and a weak one, changing nothing', async () => {
    const k = await staffTestKit()
    const sup = await k.addAccount('sup', 'support')
    const { browser, post } = await k.sessionOf(sup.id)
    const good = { currentPassword: STAFF_PASSWORD, newPassword: NEW, confirmPassword: NEW }
    const cases: [Record<string, string>, string][] = [
      [{ ...good, currentPassword: 'not-the-password' }, 'current password is wrong'],
      [{ ...good, currentPassword: '' }, 'current password is wrong'],
      [{ ...good, confirmPassword: `${NEW}x` }, 'differ'],
      [{ ...good, newPassword: 'short', confirmPassword: 'short' }, 'at least 12'],
      [{ ...good, newPassword: 'x'.repeat(129), confirmPassword: 'x'.repeat(129) }, 'at most 128'],
      [{ ...good, newPassword: 'SUP', confirmPassword: 'SUP' }, 'at least 12'],
    ]
    const named = await k.addAccount('long-login-name', 'support')
    const other = await k.sessionOf(named.id)
    for (const [form, says] of cases) {
      const before = k.snapshot()
      const reply = await post('/account/password', form)
      expect(reply.status).toBe(303)
      expect(k.snapshot()).toBe(before)
      expect((await browser.get(reply.location!)).html).toContain(says)
    }
    const before = k.snapshot()
    const same = {
      currentPassword: STAFF_PASSWORD,
      newPassword: 'Long-Login-Name',
      confirmPassword: 'Long-Login-Name',
    }
    const reply = await other.post('/account/password', same)
    expect(k.snapshot()).toBe(before)
    expect((await other.browser.get(reply.location!)).html).toContain('not be the login')
  })

  it('ends the other sessions, keeps this one; the new password works and the old does not', async () => {
    const k = await staffTestKit()
    const bill = await k.addAccount('bill', 'billing')
    const here = await k.sessionOf(bill.id)
    const elsewhere = await k.sessionOf(bill.id)
    const someoneElse = await k.sessionOf(k.admin.id)
    const reply = await here.post('/account/password', {
      currentPassword: STAFF_PASSWORD,
      newPassword: NEW,
      confirmPassword: NEW,
    })
    expect(reply.location).toBe('/account/password')
    expect((await here.browser.get('/')).status).toBe(200)
    expect((await elsewhere.browser.get('/')).status).toBe(303)
    expect((await someoneElse.browser.get('/')).status).toBe(200)
    expect((await k.logIn('bill', STAFF_PASSWORD)).reply.status).toBe(401)
    expect((await k.logIn('bill', NEW)).reply.status).toBe(303)
    expect(k.data.audit.at(-1)).toMatchObject({ actor: `user:${bill.id}`, action: 'staff.password_change' })
  })

  it('slows guessing: after 5 wrong current passwords even the right one waits, and nothing changes', async () => {
    const k = await staffTestKit()
    const sup = await k.addAccount('sup', 'support')
    const { browser, post } = await k.sessionOf(sup.id)
    const tries = 5 + Math.floor(Math.random() * 3)
    for (let i = 0; i < tries; i++) {
      await post('/account/password', {
        currentPassword: `guess-${i}`,
        newPassword: NEW,
        confirmPassword: NEW,
      })
    }
    const before = k.snapshot()
    const right = { currentPassword: STAFF_PASSWORD, newPassword: NEW, confirmPassword: NEW }
    const reply = await post('/account/password', right)
    expect(k.snapshot()).toBe(before)
    expect((await browser.get(reply.location!)).html).toMatch(
      /Too many wrong passwords; try again in \d+ minutes?/,
    )
    k.clock.advance(16 * 60_000)
    // The session idles out meanwhile only after 12 hours: the same one goes on.
    await post('/account/password', right)
    expect(k.snapshot()).not.toBe(before)
    expect((await k.logIn('sup', NEW)).reply.status).toBe(303)
  })
})
