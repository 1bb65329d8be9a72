import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { runAutoTopUp } from './auto-topup.js'
import { limitsFor, refreshAllLimits } from './limits.js'
import { Refusal } from './refusal.js'
import { resumeSubscriber, suspendSubscriber } from './suspension.js'
import { createTopUp } from './topups.js'
import { currentPeriod, usageView } from './usage.js'
import { bookUsage } from './usage-book.js'

const HOUR = 3_600_000

async function fixture() {
  const t = await testApp()
  const { subscriber, topUpPlan, plan } = await t.seed()
  const id = subscriber.id as string
  await t.call('POST', `/subscribers/${id}/payments`, { amount: { amount: 1_000_000, currency: 'USD' } })
  await t.call('PUT', `/subscribers/${id}/auto-topup`, {
    enabled: true,
    topUpPlanId: topUpPlan.id,
    maxPerPeriod: 50,
    thresholdBytes: 1e9,
  })
  const pushed: string[][] = []
  t.store.onCommit((commit) => pushed.push([...commit.subscriberIds]))
  const tx = <T>(run: Parameters<typeof t.store.transact<T>>[0]) => t.store.transact(run)
  return { ...t, id, topUpPlan, plan, pushed, tx }
}

describe('suspension against the agent-facing limit', () => {
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))(
    'blocks while suspended and never otherwise, whatever top-ups, usage, auto top-ups and period ends come between (seed %i)',
    async (seed) => {
      const random = seededRandom(seed)
      const f = await fixture()
      let suspended = false
      let version = (await f.tx((tx) => limitsFor(tx, f.env, [f.id])))[0]!.limitVersion
      for (let step = 0; step < 60; step++) {
        const pushesBefore = f.pushed.length
        const roll = random.int(0, 7)
        if (roll === 0) {
          await f.tx((tx) => suspendSubscriber(tx, f.env, 'test', f.id, `reason ${random.int(1, 2)}`))
          suspended = true
        } else if (roll === 1) {
          await f.tx((tx) => resumeSubscriber(tx, f.env, 'test', f.id))
          suspended = false
        } else if (roll === 2) {
          const bytes = random.int(1, 20) * 1e9
          const price = { amount: 100, currency: 'USD' }
          await f.tx((tx) =>
            createTopUp(tx, f.env, 'test', 'operator', f.id, { bytes, price, chargeTo: 'invoice' }),
          )
        } else if (roll === 3) {
          const bought = f.tx((tx) =>
            createTopUp(tx, f.env, 'test', 'portal', f.id, {
              topUpPlanId: f.topUpPlan.id,
              chargeTo: 'balance',
            }),
          )
          if (suspended) await expect(bought).rejects.toMatchObject({ code: 'suspended' })
          else await bought
        } else if (roll === 4) {
          await f.tx(async (tx) => {
            const sub = (await tx.subscribers.get(f.id))!
            const period = currentPeriod(sub, f.env.clock.now(), f.env.timeZone)
            await bookUsage(tx, f.env, sub, period.startMs, random.int(0, 60) * 1e9)
          })
        } else if (roll === 5) {
          const applied = await f.tx((tx) => runAutoTopUp(tx, f.env, f.id))
          if (suspended) expect(applied).toEqual([])
        } else if (roll === 6) {
          f.clock.advance(random.int(1, 20 * 24) * HOUR)
          await f.tx((tx) => refreshAllLimits(tx, f.env))
        } else {
          // A repeat of the state the subscriber is in changes nothing.
          const repeat = f.tx((tx) =>
            suspended
              ? suspendSubscriber(tx, f.env, 'test', f.id, f.data.subscribers[f.id]!.suspension!.reason)
              : resumeSubscriber(tx, f.env, 'test', f.id),
          )
          expect((await repeat).changed).toBe(false)
        }
        const [limit] = await f.tx((tx) => limitsFor(tx, f.env, [f.id]))
        const sub = f.data.subscribers[f.id]!
        const allowance = usageView(
          sub,
          f.data.plans[f.plan.id]!,
          Object.values(f.data.topUps).filter((t) => t.subscriberId === f.id),
          f.clock.now(),
          f.env.timeZone,
        ).limitBytes
        if (suspended) {
          expect(limit).toMatchObject({ limitBytes: 0, onCap: 'block' })
        } else {
          expect(limit!.limitBytes).toBe(allowance)
          expect(limit!.limitBytes).toBeGreaterThanOrEqual(100e9)
        }
        expect(limit!.limitVersion).toBeGreaterThanOrEqual(version)
        if (roll <= 1 && limit!.limitVersion > version) {
          // A change of the terms leaves in a commit that names the subscriber, so the agent hears of it.
          expect(f.pushed.slice(pushesBefore).flat()).toContain(f.id)
        }
        version = limit!.limitVersion
      }
    },
  )

  it('refuses an unknown subscriber and a deleted one', async () => {
    const f = await fixture()
    await expect(
      f.tx((tx) => suspendSubscriber(tx, f.env, 'test', 'sub_nobody', 'x')),
    ).rejects.toBeInstanceOf(Refusal)
    await f.call('DELETE', `/subscribers/${f.id}`)
    await expect(f.tx((tx) => resumeSubscriber(tx, f.env, 'test', f.id))).rejects.toMatchObject({
      code: 'deleted',
    })
  })
})
