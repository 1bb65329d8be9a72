import { describe, expect, it } from 'vitest'
import { ingestUsage } from '../domain/usage-ingest.js'
import { usage } from '../testing/test-agent.js'
import { catalogTestKit } from './catalog-test-kit.js'

describe('agents page: usage not booked', () => {
  it('shows operators what an agent reported that could not be booked, and why', async () => {
    const k = await catalogTestKit()
    const empty = await k.browser.get('/agents')
    expect(empty.html).toContain('Every usage report was booked.')

    await k.store.transact((tx) =>
      ingestUsage(
        tx,
        k.env,
        k.agent.id,
        usage('e1', [
          { seq: 1, subscriberId: 'sub_gone<script>', down: 1_500_000 },
          { seq: 2, subscriberId: 'sub_gone<script>', down: 500_000 },
        ]) as never,
      ),
    )
    const { status, html } = await k.browser.get('/agents')
    expect(status).toBe(200)
    const section = /<section id="agent-anomalies"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? ''
    expect(section).toContain('tower-1')
    expect(section).toContain('sub_gone&lt;script&gt;')
    expect(section).not.toContain('<script>')
    expect(section).toMatch(/not known to this controller/)
    expect(section).toMatch(/<td class="num">2<\/td><td class="num">2(\.0)? MB<\/td>/)
  })
})
