import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { currentPeriod } from '../domain/usage.js'
import { EMAIL_STYLES } from '../notify/email-html.js'
import { defaultTemplate, messageTemplate } from '../notify/templates.js'
import { NOTIFICATION_EVENTS } from '../store/entities.js'
import { fieldMarksIn, textOfId } from '../testing/field-marks.js'
import { bytes } from '../ui/format.js'
import { staffTestKit } from './staff-test-kit.js'
import { flashIn } from './subscriber-test-kit.js'

const EDIT = '/settings/templates/usage.threshold/email'

async function kit() {
  const k = await staffTestKit()
  const admin = await k.sessionOf(k.admin.id)
  /** Books `usedBytes` in alice's current period, as the agent's reports would. */
  async function setUsage(usedBytes: number) {
    await k.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(k.subscriber.id))!
      const period = currentPeriod(sub, k.env.clock.now(), k.env.timeZone)
      await tx.subscribers.update({
        ...sub,
        usedBytes,
        usagePeriodStartMs: period.startMs,
        createdAtMs: Math.min(sub.createdAtMs, period.startMs),
      })
    })
  }
  return { ...k, ...admin, setUsage }
}

const unescaped = (html: string) =>
  html.replace(
    /&(quot|#39|lt|gt|amp);/g,
    (_, e: string) => ({ quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' })[e]!,
  )

describe('notification template pages', () => {
  it('the settings index leads to the list of every event on e-mail and SMS', async () => {
    const k = await kit()
    expect((await k.browser.get('/settings')).html).toContain('href="/settings/templates"')
    const list = (await k.browser.get('/settings/templates')).html
    for (const event of NOTIFICATION_EVENTS) {
      expect(list).toContain(`href="/settings/templates/${event}/email"`)
      expect(list).toContain(`href="/settings/templates/${event}/sms"`)
    }
    expect(list).not.toContain('Customised')
  })

  it('the editor shows the template, its variables, and a preview whose inline styles the page policy allows by hash', async () => {
    const k = await kit()
    const reply = await k.browser.get(EDIT)
    expect(reply.status).toBe(200)
    const d = defaultTemplate('usage.threshold', 'email')
    expect(unescaped(reply.html)).toContain(`value="${d.subject}"`)
    expect(textOfId(reply.html, 'preview-subject')).toBe("You've used 80% of your data")
    expect(reply.html).toContain('{{threshold}}')
    expect(reply.html).toMatch(/<iframe[^>]*sandbox=""[^>]*srcdoc="/)
    const csp = reply.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    for (const style of Object.values(EMAIL_STYLES)) {
      expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`)
    }
    // Other pages allow no inline style at all.
    expect((await k.browser.get('/settings/templates')).headers.get('content-security-policy')).not.toContain(
      'style-src-attr',
    )
  })

  it("previews a draft on a real subscriber's figures now, and changes nothing", async () => {
    const k = await kit()
    await k.setUsage(81e9)
    const before = k.snapshot()
    const draft = {
      subject: '{{name}} at {{percent}}%',
      body: 'Used {{used}} of {{limit}}, {{remaining}} left.\n\nBy {{ispName}}',
      login: 'alice',
    }
    // No CSRF token: a preview is a read.
    const reply = await k.browser.post(`${EDIT}/preview`, draft)
    expect(reply.status).toBe(200)
    expect(textOfId(reply.html, 'preview-subject')).toBe('Alice at 81%')
    const text = `Used ${bytes(81e9)} of ${bytes(100e9)}, ${bytes(19e9)} left.\n\nBy Your internet provider`
    expect(textOfId(reply.html, 'preview-text')).toBe(text)
    expect(textOfId(reply.html, 'preview-whose')).toContain('Alice (alice)')
    // The form keeps what was typed.
    expect(unescaped(reply.html)).toContain(`value="${draft.subject}"`)
    expect(fieldMarksIn(reply.html)).toEqual([])
    expect(k.snapshot()).toBe(before)

    await k.setUsage(20e9)
    const later = await k.browser.post(`${EDIT}/preview`, draft)
    expect(textOfId(later.html, 'preview-subject')).toBe('Alice at 20%')
  })

  it('a preview marks unknown variables and logins beside their fields, rendering the rest', async () => {
    const k = await kit()
    const reply = await k.browser.post(`${EDIT}/preview`, {
      subject: 'Hi {{nmae}}',
      body: 'Hi {{name}}',
      login: 'nobody',
    })
    expect(reply.status).toBe(200)
    expect(textOfId(reply.html, 'preview-subject')).toBe('Hi')
    expect(textOfId(reply.html, 'preview-text')).toBe('Hi Amina Njeri')
    expect(fieldMarksIn(reply.html).map((m) => [m.name, m.message])).toEqual([
      ['subject', 'There is no variable {{nmae}} for this message: use one of those listed.'],
      ['login', 'No subscriber has the login nobody.'],
    ])
  })

  it('saves a template with a clear flash, and resets it to the default', async () => {
    const k = await kit()
    const saved = await k.post(EDIT, {
      subject: 'Careful, {{name}}',
      body: '{{percent}}% gone.',
      login: 'alice',
    })
    expect(saved.status).toBe(303)
    expect(saved.location).toBe(`${EDIT}?login=alice`)
    const page = await k.browser.get(saved.location!)
    expect(flashIn(page.html)).toEqual({
      kind: 'ok',
      text: 'Template saved. Messages sent from now on use it.',
    })
    expect(textOfId(page.html, 'preview-subject')).toBe('Careful, Alice')
    expect(page.html).toContain('Reset to default')
    expect((await k.browser.get('/settings/templates')).html).toContain('Customised')
    expect(k.data.audit.at(-1)).toMatchObject({ actor: `user:${k.admin.id}`, action: 'notify.template.save' })

    const reset = await k.post(`${EDIT}/reset`)
    expect(reset.status).toBe(303)
    const now = await k.store.peek((tx) => messageTemplate(tx, 'usage.threshold', 'email'))
    expect(now).toEqual(defaultTemplate('usage.threshold', 'email'))
    expect((await k.browser.get(EDIT)).html).not.toContain('Reset to default')
  })

  it('refuses an unknown variable beside its field, keeps what was typed, and changes nothing', async () => {
    const k = await kit()
    const before = k.snapshot()
    const body = 'Top up at {{topupUrl}} & <b>soon</b>'
    const refused = await k.post(EDIT, { subject: 'Hi', body })
    expect(refused.status).toBe(303)
    expect(k.snapshot()).toBe(before)
    const page = await k.browser.get(refused.location!)
    expect(fieldMarksIn(page.html).map((m) => [m.label, m.message])).toEqual([
      ['Message', 'There is no variable {{topupUrl}} for this message: use one of those listed.'],
    ])
    expect(unescaped(page.html)).toContain(`>${body}</textarea>`)
  })

  it('only roles with the settings permission see, save or reset templates', async () => {
    const k = await kit()
    for (const role of ['billing', 'support'] as const) {
      const user = await k.addAccount(`${role}-user`, role)
      const s = await k.sessionOf(user.id)
      const before = k.snapshot()
      expect((await s.browser.get(EDIT)).status).toBe(403)
      expect((await s.post(EDIT, { subject: 'x', body: 'y' })).status).toBe(403)
      expect((await s.post(`${EDIT}/reset`)).status).toBe(403)
      expect((await s.post(`${EDIT}/preview`, { subject: 'x', body: 'y' })).status).toBe(403)
      expect(k.snapshot()).toBe(before)
    }
    // A save needs the page's CSRF token.
    const before = k.snapshot()
    expect((await k.browser.post(EDIT, { subject: 'x', body: 'y' })).status).toBe(403)
    expect(k.snapshot()).toBe(before)
  })

  it('answers 404 for an event or channel that has no template', async () => {
    const k = await kit()
    for (const path of [
      '/settings/templates/usage.nope/email',
      '/settings/templates/usage.threshold/webhook',
    ]) {
      expect((await k.browser.get(path)).status, path).toBe(404)
      expect((await k.post(path, { subject: 'x', body: 'y' })).status, path).toBe(404)
    }
  })
})
