import { describe, expect, it } from 'vitest'
import type { AllowanceShown } from '../domain/allowance-shown.js'
import { bucketJson } from '../domain/allowance-shown.js'
import type { MeView } from '../portal-ui/home-view.js'
import { UsageBuckets } from '../portal-ui/usage-buckets.js'
import { SubscriberBuckets } from './subscriber-buckets.js'
import { subscriberTestKit } from './subscriber-test-kit.js'

const GB = 1e9
const at = (iso: string) => Date.parse(iso)

/** A plan bucket half used, a top-up still valid and one that expired with 1 GB unused. */
const allowance: AllowanceShown = {
  buckets: [
    {
      id: 'plan',
      kind: 'plan',
      label: 'Basic 100 GB',
      sizeBytes: 100 * GB,
      usedBytes: 50 * GB,
      leftBytes: 50 * GB,
      validFromMs: at('2026-03-01T00:00:00Z'),
      validUntilMs: at('2026-04-01T00:00:00Z'),
      expired: false,
    },
    {
      id: 'tu_1',
      kind: 'topup',
      label: 'Top-up',
      sizeBytes: 10 * GB,
      usedBytes: 2 * GB,
      leftBytes: 8 * GB,
      validFromMs: at('2026-03-05T09:30:00Z'),
      validUntilMs: at('2026-03-12T09:30:00Z'),
      expired: false,
      topUpId: 'tu_1',
    },
    {
      id: 'ro_1',
      kind: 'rollover',
      label: 'Rolled over',
      sizeBytes: 5 * GB,
      usedBytes: 4 * GB,
      leftBytes: 1 * GB,
      validFromMs: at('2026-03-01T00:00:00Z'),
      validUntilMs: at('2026-03-08T00:00:00Z'),
      expired: true,
    },
  ],
  freeBytes: 3 * GB,
  overBytes: 0,
}

describe('the subscriber page’s buckets', () => {
  it('shows the plan’s data and a top-up on the page, with size, used, left and valid until', async () => {
    const k = await subscriberTestKit()
    await k.setUsage(k.subscriber.id, 40 * GB)
    const sold = await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, {
      topUpPlanId: k.topUpPlan.id,
    })
    expect(sold.status).toBe(201)
    const { html } = await k.browser.get(`/subscribers/${k.subscriber.id}`)
    const table = /<h3 id="buckets-title">[\s\S]*?<\/table>/.exec(html)?.[0] ?? ''
    expect(table).toContain('<td>Plan data (Basic 100 GB)</td>')
    expect(table).toContain('<td>Top-up (bought 10 Mar 2026)</td>')
    expect(table).toContain('<td class="num">100 GB</td>')
    expect(table).toContain('<td class="num">10 GB</td>')
    expect(table).toContain('<td>1 Apr 2026, 00:00</td>')
    expect(table).not.toContain('Expired')
  })

  it('marks an expired bucket and says its unused part is lost; free-hour usage under the table', () => {
    const html = String(SubscriberBuckets({ allowance, timeZone: 'UTC' }))
    expect(html).toContain('<td>Rolled over</td>')
    expect(html).toContain('<td class="num">1 GB lost</td>')
    expect(html).toContain('<span class="expired">Expired 8 Mar 2026, 00:00</span>')
    expect(html).toContain('<td class="num">8 GB</td>')
    expect(html).toContain('Used in free hours (drawn from no bucket): 3 GB')
    expect(html).not.toContain('Used past every bucket')
  })
})

describe('the portal’s buckets', () => {
  const me = (a: AllowanceShown) =>
    ({ buckets: a.buckets.map(bucketJson), freeBytes: a.freeBytes }) as unknown as MeView

  it('says each bucket in plain words, an expired one with what was lost', () => {
    const html = String(UsageBuckets({ me: me(allowance), timeZone: 'UTC' }))
    expect(html).toContain(
      '<strong>Your plan’s data</strong>: 50 GB left (50 GB of 100 GB used), until the end of 31 Mar 2026',
    )
    expect(html).toContain(
      '<strong>Top-up from 5 Mar 2026</strong>: 8 GB left (2 GB of 10 GB used), until 12 Mar 2026, 09:30',
    )
    expect(html).toContain(
      '<li class="expired"><strong>Unused data carried over</strong>: 4 GB of 5 GB used; ended 8 Mar 2026, 00:00, the unused 1 GB is gone',
    )
    expect(html).toContain('Used in free hours, not taken from your data: 3 GB')
  })

  it('says nothing more than the figures above for the plan’s data alone', () => {
    const alone = { buckets: allowance.buckets.slice(0, 1) }
    expect(UsageBuckets({ me: me(alone), timeZone: 'UTC' })).toBeNull()
  })
})
