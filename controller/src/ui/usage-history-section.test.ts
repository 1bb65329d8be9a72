import { describe, expect, it } from 'vitest'
import { bookUsageHistory } from '../domain/usage-history.js'
import { subscriberTestKit } from '../operator-ui/subscriber-test-kit.js'
import { pagesKit } from '../portal-ui/portal-pages-test-kit.js'

const HOUR = 3_600_000
const GB = 1e9

describe('usage history charts', () => {
  it('the subscriber page draws daily bars, the plan line and a top-up line from when it applied, with a table', async () => {
    const k = await subscriberTestKit()
    const id = k.subscriber.id
    const nowMs = k.clock.now()
    await k.store.transact((tx) =>
      bookUsageHistory(tx, k.env, [
        { subscriberId: id, down: 3 * GB, up: GB / 2, atMs: nowMs - 50 * HOUR },
        { subscriberId: id, down: 2 * GB, up: GB / 4, atMs: nowMs - 2 * HOUR },
      ]),
    )
    const topUp = await k.call(
      'POST',
      `/subscribers/${id}/topups`,
      { bytes: 10 * GB, price: { amount: 500, currency: 'USD' } },
      { 'idempotency-key': 'k1' },
    )
    expect(topUp.status).toBe(201)
    const { html } = await k.browser.get(`/subscribers/${id}`)
    const section = html.slice(html.indexOf('id="usage-history"'))
    expect(section).toContain('data-bucket="plan"')
    expect(section).toContain(`data-bucket="${topUp.body.topUp.id}"`)
    expect(section).toContain('+Top-up 10 GB')
    // The top-up's line starts at today's bar, the plan's at the period's first.
    const today = new Date(nowMs).toISOString().slice(0, 10)
    const days = [...section.matchAll(/data-day="([^"]+)"/g)].map((m) => m[1])
    expect(days[0]).toBe('2026-03-01')
    expect(days).toHaveLength(31)
    const startX = (dayIndex: number) => 64 + (dayIndex / 31) * 392
    expect(section).toContain(`<g class="bucket bucket-plan" data-bucket="plan"><path d="M${startX(0)},`)
    expect(section).toContain(
      `data-bucket="${topUp.body.topUp.id}"><path d="M${startX(days.indexOf(today))},`,
    )
    expect(section).toMatch(/<title id="daily-usage-title">Daily usage, 1 Mar 2026 to 31 Mar 2026<\/title>/)
    expect(section).toContain('<desc id="daily-usage-desc">')
    expect(section).toContain('Daily usage as a table')
    expect(section).toContain(`<td>${today}</td>`)
    expect(section).toContain('The last 48 hours')
    expect(section).toContain(
      `href="/subscribers/${id}/usage.csv?from=2026-03-01&amp;to=${today}&amp;granularity=day"`,
    )
    // A chosen day shows its hours; a day past the hourly retention falls back to the last 48 hours.
    const chosen = await k.browser.get(`/subscribers/${id}?day=2026-03-08`)
    expect(chosen.html).toContain('Hours of 2026-03-08')
    expect((await k.browser.get(`/subscribers/${id}?day=2025-01-01`)).html).toContain('The last 48 hours')
    const csv = await k.browser.get(`/subscribers/${id}/usage.csv?from=2026-03-01&to=${today}`)
    expect(csv.status).toBe(200)
    expect(csv.html).toContain(`${today},2000000000,250000000,2250000000\r\n`)
  })

  it('the portal usage page shows the customer their own chart', async () => {
    const k = await pagesKit()
    await k.store.transact((tx) =>
      bookUsageHistory(tx, k.env, [
        { subscriberId: k.anna.id, down: 123_000_000, up: 4_000_000, atMs: k.clock.now() - HOUR },
      ]),
    )
    const anna = await k.browserFor({ login: 'anna', password: 'anna-secret-1' })
    const page = await anna.get('/portal/usage')
    expect(page.status).toBe(200)
    expect(page.html).toContain('data-bucket="plan"')
    expect(page.html).toContain('123 MB')
    expect(page.html).toContain('href="/portal/usage.csv?')
    expect((await anna.get('/portal')).html).toContain('href="/portal/usage"')
  })
})
