/**
 * The enforced limit moves only with events (a top-up, an expiry, a new period), never with usage:
 * a throttled subscriber far over the cap, on a plan with a direction and free hours, keeps one
 * limit version however many reports come in.
 */
import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { limitsFor } from './limits.js'
import { createPlan } from './plans.js'
import { ingestUsage } from './usage-ingest.js'

const CAP = 10_000
const PERIOD_START = Date.parse('2026-03-01T00:00:00Z')
const NOW = Date.parse('2026-03-10T12:00:00Z')

describe('limit versions under usage', () => {
  it('random reports, in and out of free hours, past the cap and back under a top-up, bump the version only at the top-up', async () => {
    const random = seededRandom(0xc4a2)
    for (let round = 0; round < 4; round++) {
      const t = await testApp({ nowMs: NOW })
      const plan = await t.store.transact((tx) =>
        createPlan(tx, t.env, 'system', {
          name: 'Slow after cap',
          capBytes: CAP,
          capAction: { kind: 'throttle_percent', percent: 10 },
          rateDownKbps: 20_000,
          count: 'down',
          freeHours: [{ from: '01:00', to: '05:00' }],
        }),
      )
      const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
      const sub = (
        await t.call('POST', '/subscribers', {
          name: 'C',
          login: 'c',
          planId: plan.id,
          agentId: agent.id,
          address: '10.0.0.9',
          billingDay: 1,
        })
      ).body
      const version = async () =>
        (await t.store.transact((tx) => limitsFor(tx, t.env, [sub.id])))[0]!.limitVersion
      const v0 = await version()
      let seq = 0
      let toppedUp = false
      for (let i = 0; i < 40; i++) {
        t.clock.advance(random.int(1, 600) * 1000)
        const entries = Array.from({ length: random.int(1, 5) }, () => ({
          seq: ++seq,
          subscriberId: sub.id,
          periodStart: new Date(PERIOD_START).toISOString(),
          down: random.int(0, CAP),
          up: random.int(0, CAP),
          atMs: PERIOD_START + random.int(0, (t.clock.now() - PERIOD_START) / 60_000) * 60_000,
        }))
        await t.store.transact((tx) =>
          ingestUsage(tx, t.env, agent.id, {
            v: PROTOCOL_VERSION,
            type: 'usage',
            epoch: 'e1',
            entries,
          } as Usage),
        )
        if (i === 20) {
          const res = await t.call('POST', `/subscribers/${sub.id}/topups`, {
            bytes: 5 * CAP,
            price: { amount: 100, currency: 'USD' },
            chargeTo: 'invoice',
            allowTiny: true,
          })
          expect(res.status, JSON.stringify(res.body)).toBe(201)
          toppedUp = true
        }
        expect(await version(), `round ${round} report ${i}`).toBe(v0 + (toppedUp ? 1 : 0))
      }
    }
  })
})
