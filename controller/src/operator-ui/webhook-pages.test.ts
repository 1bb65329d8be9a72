import { afterEach, describe, expect, it } from 'vitest'
import { bannerIn, refusalIn } from '../testing/field-marks.js'
import { webhookReceiver } from '../testing/webhook-receiver.js'
import { staffTestKit } from './staff-test-kit.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

const SECRET = /id="webhook-secret" class="secret">(whsec_[A-Za-z0-9_-]{43})</

const endpoints = (k: Awaited<ReturnType<typeof staffTestKit>>) => Object.values(k.data.webhookEndpoints)

describe('Settings → Webhooks', () => {
  it('an admin adds an endpoint: the secret is in that answer only, never in a cookie; a resend adds nothing', async () => {
    const k = await staffTestKit()
    const { browser, post } = await k.sessionOf(k.admin.id)
    expect((await browser.get('/settings')).html).toContain('href="/settings/webhooks"')
    expect((await browser.get('/settings/webhooks')).html).toContain('No webhook endpoints yet')

    const form = {
      url: 'https://crm.example.com/capd',
      description: 'CRM',
      'event.usage.threshold': 'on',
      'event.agent.offline': 'on',
      idempotencyKey: 'add-1',
    }
    const reply = await post('/settings/webhooks', form)
    expect(reply.status).toBe(200)
    expect(reply.headers.get('cache-control')).toBe('no-store')
    const secret = SECRET.exec(reply.html)?.[1]
    const [saved] = endpoints(k)
    expect(saved).toMatchObject({
      url: form.url,
      events: ['usage.threshold', 'agent.offline'],
      description: 'CRM',
    })
    expect(secret).toBe(saved!.secret)
    expect(reply.headers.getSetCookie().join(';')).not.toContain(secret!.slice(-20))

    const later = (await browser.get('/settings/webhooks')).html
    expect(later).toContain('https://crm.example.com/capd')
    expect(later).toContain('usage.threshold, agent.offline')
    expect(later).not.toContain(secret!)

    const again = await post('/settings/webhooks', form)
    expect(again.status).toBe(303)
    expect(bannerIn((await browser.get(again.location!)).html)).toContain('already sent')
    expect(endpoints(k)).toHaveLength(1)
  })

  it('"All events" stores no list; neither it nor an event ticked is refused beside the field', async () => {
    const k = await staffTestKit()
    const { browser, post } = await k.sessionOf(k.admin.id)
    await post('/settings/webhooks', { url: 'http://10.0.0.5/hook', allEvents: 'on', idempotencyKey: 'a' })
    expect(endpoints(k)[0]).toMatchObject({ url: 'http://10.0.0.5/hook', events: [] })
    const before = k.snapshot()
    const bad: [Record<string, string>, string][] = [
      [{ url: 'https://crm.example.com/' }, 'Tick All events'],
      [{ url: 'http://crm.example.com/', allEvents: 'on' }, 'URL: The URL must use https://'],
      [{ url: '', allEvents: 'on' }, 'URL: Enter the URL'],
      [{ url: 'https://crm.example.com/', allEvents: 'on', description: 'x'.repeat(201) }, 'at most 200'],
    ]
    for (const [i, [form, words]] of bad.entries()) {
      const reply = await post('/settings/webhooks', { ...form, idempotencyKey: `bad-${i}` })
      expect(reply.status).toBe(303)
      expect(refusalIn((await browser.get(reply.location!)).html)).toContain(words)
      expect(k.snapshot()).toBe(before)
    }
  })

  it('disables and enables, gives a new secret after asking, deletes after asking', async () => {
    const k = await staffTestKit()
    const { browser, post } = await k.sessionOf(k.admin.id)
    await post('/settings/webhooks', {
      url: 'https://crm.example.com/',
      allEvents: 'on',
      idempotencyKey: 'a',
    })
    const [made] = endpoints(k)
    const base = `/settings/webhooks/${made!.id}`

    expect((await post(`${base}/disable`)).status).toBe(303)
    expect(k.data.webhookEndpoints[made!.id]!.enabled).toBe(false)
    expect(bannerIn((await browser.get('/settings/webhooks')).html)).toContain('disabled')
    await post(`${base}/enable`)
    expect(k.data.webhookEndpoints[made!.id]!.enabled).toBe(true)

    const ask = await browser.get(`${base}/secret`)
    expect(ask.html).toContain('The old secret stops signing at once')
    const rotated = await post(`${base}/secret`, { idempotencyKey: 'rot-1' })
    expect(rotated.status).toBe(200)
    const secret = SECRET.exec(rotated.html)?.[1]
    expect(secret).toBe(k.data.webhookEndpoints[made!.id]!.secret)
    expect(secret).not.toBe(made!.secret)
    const resent = await post(`${base}/secret`, { idempotencyKey: 'rot-1' })
    expect(resent.status).toBe(303)
    expect(k.data.webhookEndpoints[made!.id]!.secret).toBe(secret)

    expect((await browser.get(`${base}/delete`)).html).toContain('Delete endpoint')
    const deleted = await post(`${base}/delete`)
    expect(bannerIn((await browser.get(deleted.location!)).html)).toContain('deleted')
    expect(endpoints(k)).toHaveLength(0)
    expect((await browser.get(`${base}/delete`)).status).toBe(404)
  })

  it('"Send test" shows the receiver\'s answer as the page\'s message', async () => {
    const r = await webhookReceiver((n) => (n === 1 ? { status: 200 } : { status: 500, body: 'boom' }))
    closers.push(r.close)
    const k = await staffTestKit()
    const { browser, post } = await k.sessionOf(k.admin.id)
    await post('/settings/webhooks', { url: r.url, allEvents: 'on', idempotencyKey: 'a' })
    const [made] = endpoints(k)
    const ok = await post(`/settings/webhooks/${made!.id}/test`)
    expect(bannerIn((await browser.get(ok.location!)).html)).toMatch(/answered HTTP 200 in \d+ ms/)
    const failed = await post(`/settings/webhooks/${made!.id}/test`)
    const page = (await browser.get(failed.location!)).html
    expect(page).toContain('class="notice error"')
    expect(bannerIn(page)).toContain('not delivered: HTTP 500: boom')
    expect(r.requests.map((q) => q.headers['x-capd-event'])).toEqual(['webhook.test', 'webhook.test'])
  })

  it('only admins see the page and may use its forms', async () => {
    const k = await staffTestKit()
    const admin = await k.sessionOf(k.admin.id)
    await admin.post('/settings/webhooks', {
      url: 'https://crm.example.com/',
      allEvents: 'on',
      idempotencyKey: 'a',
    })
    const [made] = endpoints(k)
    const before = k.snapshot()
    for (const role of ['billing', 'support'] as const) {
      const member = await k.addAccount(`${role}-person`, role)
      const { browser, post } = await k.sessionOf(member.id)
      expect((await browser.get('/settings/webhooks')).status).toBe(403)
      expect((await browser.get(`/settings/webhooks/${made!.id}/delete`)).status).toBe(403)
      const posts: [string, Record<string, string>][] = [
        ['/settings/webhooks', { url: 'https://x.example.com/', allEvents: 'on', idempotencyKey: role }],
        ...['test', 'disable', 'enable', 'delete'].map((a): [string, Record<string, string>] => [
          `/settings/webhooks/${made!.id}/${a}`,
          {},
        ]),
        [`/settings/webhooks/${made!.id}/secret`, { idempotencyKey: `${role}-s` }],
      ]
      for (const [path, form] of posts) expect([path, (await post(path, form)).status]).toEqual([path, 403])
    }
    // The two staff accounts were added; nothing about webhooks changed.
    expect(JSON.stringify(k.data.webhookEndpoints)).toBe(JSON.stringify(JSON.parse(before).webhookEndpoints))
  })
})
