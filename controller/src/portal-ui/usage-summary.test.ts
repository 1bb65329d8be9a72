import { describe, expect, it } from 'vitest'
import type { RecentRate } from '../store/entities.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

async function annaHaving(usedBytes: number, recentRate?: RecentRate) {
  const k = await pagesKit()
  await k.store.transact(async (tx) => {
    const sub = (await tx.subscribers.get(k.anna.id))!
    // A customer since before this period (1 March), so the pace counts from the period's start.
    const since = Date.parse('2026-02-01T00:00:00Z')
    await tx.subscribers.update({
      ...sub,
      usedBytes,
      createdAtMs: since,
      ...(recentRate ? { recentRate } : {}),
    })
  })
  return (await (await k.browserFor(ANNA)).get('/portal')).html
}

describe('portal home: usage figures', () => {
  it('projects the run-out at this period’s pace when there is no recent rate', async () => {
    // 40 GB in the 9.5 days since 1 March: the other 60 GB last until 24 March.
    const page = await annaHaving(40e9)
    expect(page).toContain('60 GB left')
    expect(page).toContain('At this rate, your data runs out around 24 Mar 2026')
    expect(page).toContain('40 GB of 100 GB used (40%)')
  })

  it('says how long the data lasts at the recent rate when it is close', async () => {
    // 60 GB left at 25 MB/s, read just now (10 March 12:00): 2400 s.
    const page = await annaHaving(40e9, { bytesPerSecond: 25e6, atMs: Date.parse('2026-03-10T12:00:00Z') })
    expect(page).toContain('At this rate, your data runs out in about 40 minutes')
  })

  it('says the data lasts the period at a slow pace', async () => {
    const page = await annaHaving(1e9)
    expect(page).toContain('99 GB left')
    expect(page).toContain('Enough until the period ends on 31 Mar 2026')
  })

  it('says the data is used up, and what the plan does then, while the agent has not acted yet', async () => {
    const page = await annaHaving(100e9)
    expect(page).toContain('0 B left')
    // The plan blocks at the cap: the banner says so before the agent reports it.
    expect(page).toContain('You have used all your data — access is paused until you top up')
    expect(page).not.toContain('runs out')
    expect(page).not.toContain('You are offline until')
  })
})
