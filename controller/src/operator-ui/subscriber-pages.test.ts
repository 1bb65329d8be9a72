import { describe, expect, it } from 'vitest'
import { bookUsageHistory } from '../domain/usage-history.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { subscriberTestKit } from './subscriber-test-kit.js'

const GB = 1e9

describe('subscriber pages', () => {
  it('each page renders for a logged-in operator, live, and sends a visitor to the login page', async () => {
    const k = await subscriberTestKit()
    const pages = [
      ['/', 'Dashboard', 'dashboard'],
      ['/subscribers', 'Subscribers', 'subscribers'],
      [`/subscribers/${k.subscriber.id}`, 'Alice', 'usage'],
      ['/invoices', 'Invoices', 'invoices'],
    ] as const
    const visitor = new BrowserCaller(k.app)
    for (const [path, h1, region] of pages) {
      const page = await k.browser.get(path)
      expect(page.status, path).toBe(200)
      expect(page.html).toContain(`<h1>${h1}</h1>`)
      expect(page.html).toMatch(new RegExp(`id="${region}" data-live`))
      expect(page.html).toContain('data-live-source="/events"')
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
      const away = await visitor.get(path)
      expect(away.status).toBe(303)
      expect(away.location).toBe(`/login?next=${encodeURIComponent(path)}`)
    }
  })

  it('shows remaining data, state, the projected run-out, the period and the chart', async () => {
    const k = await subscriberTestKit()
    // 40 GB of 100 GB in 9.5 days (now is 10 Mar 12:00 UTC): 60 GB more lasts another 14.25 days.
    await k.setUsage(k.subscriber.id, 40 * GB, { daily: [5 * GB, 10 * GB, 25 * GB] })
    const { html } = await k.browser.get(`/subscribers/${k.subscriber.id}`)
    expect(html).toContain('60 GB left')
    expect(html).toContain('40 GB of 100 GB used (40%)')
    expect(html).toContain('<span class="badge open">open</span>')
    expect(html).toContain('Runs out around 24 Mar 2026 (this period’s pace)')
    expect(html).toContain('Period: 1 Mar 2026 to 31 Mar 2026')
    expect(html).toContain('id="usage-history"')
    expect(html).toContain('tower-1')
    expect(html).toContain('Basic 100 GB')
    expect(html).toContain('$0.00')
  })

  it('says when the limit is reached, and when it will hold to the period end', async () => {
    const k = await subscriberTestKit()
    await k.setUsage(k.subscriber.id, 100 * GB, { state: 'blocked' })
    let { html } = await k.browser.get(`/subscribers/${k.subscriber.id}`)
    expect(html).toContain('0 B left')
    expect(html).toContain('Limit reached')
    expect(html).toContain('<span class="badge blocked">blocked</span>')
    await k.setUsage(k.subscriber.id, 1 * GB)
    ;({ html } = await k.browser.get(`/subscribers/${k.subscriber.id}`))
    expect(html).toContain('Not projected to reach the limit this period')
  })

  it('says the run-out at the recent rate, as a duration when it is close', async () => {
    const k = await subscriberTestKit()
    await k.setUsage(k.subscriber.id, 40 * GB)
    const rateOf = async (bytesPerSecond: number) => {
      await k.store.transact(async (tx) => {
        const sub = (await tx.subscribers.get(k.subscriber.id))!
        await tx.subscribers.update({ ...sub, recentRate: { bytesPerSecond, atMs: k.clock.now() } })
      })
      return (await k.browser.get(`/subscribers/${k.subscriber.id}`)).html
    }
    // 60 GB left at 25 MB/s: 2400 s.
    expect(await rateOf(25e6)).toContain('At this rate, the data runs out in about 40 minutes (recent rate)')
    // At 0.1 MB/s: 600 000 s, almost a week (now is 10 Mar 12:00 UTC).
    expect(await rateOf(0.1e6)).toContain('Runs out around 17 Mar 2026 (recent rate)')
  })

  it("ignores a previous period's usage in the period's chart", async () => {
    const k = await subscriberTestKit()
    const lastPeriod = Date.parse('2026-02-27T12:00:00Z')
    await k.store.transact((tx) =>
      bookUsageHistory(tx, k.env, [{ subscriberId: k.subscriber.id, down: 7, up: 0, atMs: lastPeriod }]),
    )
    const { html } = await k.browser.get(`/subscribers/${k.subscriber.id}`)
    expect(html).toContain('data-day="2026-03-01"')
    expect(html).not.toContain('2026-02-27')
    expect(html).toContain('Line: nothing counted so far this period')
  })

  it('answers an unknown subscriber with a 404 page', async () => {
    const k = await subscriberTestKit()
    const page = await k.browser.get('/subscribers/sub_nobody')
    expect(page.status).toBe(404)
    expect(page.html).toContain('subscriber sub_nobody does not exist')
  })
})
