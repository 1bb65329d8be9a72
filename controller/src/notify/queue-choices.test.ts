import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { DomainEnv } from '../domain/env.js'
import {
  ACCOUNT_EVENTS,
  type AlertChoices,
  type Channel,
  type SubscriberEvent,
  USAGE_ALERT_EVENTS,
} from '../store/entities.js'
import { testApp } from '../testing/test-app.js'
import { queueNotification } from './queue.js'

type Way = 'email' | 'sms'
const WAY_SETS: Way[][] = [[], ['email'], ['sms'], ['email', 'sms']]

/** Who the customer should hear from, written from the rules in plain terms rather than from queue.ts. */
function expected(
  event: SubscriberEvent,
  choices: AlertChoices,
  contact: { email?: string; phone?: string },
  ways: readonly Way[],
  deleted: boolean,
): [Channel, string][] {
  if (deleted) return []
  const usage = (USAGE_ALERT_EVENTS as readonly string[]).includes(event)
  const receipt = (ACCOUNT_EVENTS as readonly string[]).includes(event)
  const out: [Channel, string][] = []
  const emailWanted = usage ? choices.email : receipt ? choices.receipts : false
  if (emailWanted && contact.email && ways.includes('email')) out.push(['email', contact.email])
  if (usage && choices.sms && contact.phone && ways.includes('sms')) out.push(['sms', contact.phone])
  return out
}

describe('queueNotification honours the customer’s choices', () => {
  it('queues e-mail and SMS by the choices, the contacts on file and the ISP’s channels (random cases)', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    const random = seededRandom(20261201)
    const events = [...USAGE_ALERT_EVENTS, ...ACCOUNT_EVENTS]
    let sent = 0
    for (let i = 0; i < 300; i++) {
      const choices: AlertChoices = {
        email: random.next() < 0.5,
        sms: random.next() < 0.5,
        receipts: random.next() < 0.5,
      }
      const email = random.next() < 0.7 ? `c${i}@example.net` : undefined
      const phone = random.next() < 0.7 ? `+2547${String(10000000 + i)}` : undefined
      const ways = WAY_SETS[random.int(0, WAY_SETS.length - 1)]!
      const deleted = random.next() < 0.1
      // Absent choices are the defaults: everything on.
      const stored = random.next() < 0.2 ? undefined : choices
      const event = events[random.int(0, events.length - 1)]!
      await t.store.transact(async (tx) => {
        const sub = (await tx.subscribers.get(subscriber.id))!
        const { email: _e, phone: _p, alerts: _a, deletedAtMs: _d, ...rest } = sub
        await tx.subscribers.update({
          ...rest,
          ...(email ? { email } : {}),
          ...(phone ? { phone } : {}),
          ...(stored ? { alerts: stored } : {}),
          ...(deleted ? { deletedAtMs: t.clock.now() } : {}),
        })
      })
      const env: DomainEnv = { ...t.env, channels: new Set(ways) }
      const key = `${event}/${subscriber.id}/case-${i}`
      await t.store.transact((tx) =>
        queueNotification(tx, env, { key, event, subscriberId: subscriber.id, vars: {}, data: {} }),
      )
      const queued = await t.store.peek((tx) => tx.deliveries.forNotification(key))
      const got = queued.map((d): [Channel, string] => [d.channel, d.to])
      const want = expected(
        event,
        stored ?? { email: true, sms: true, receipts: true },
        { email, phone },
        ways,
        deleted,
      )
      expect(got, JSON.stringify({ event, stored, email, phone, ways, deleted })).toEqual(want)
      sent += want.length
    }
    // The cases reached both sides: some messages, some silences.
    expect(sent).toBeGreaterThan(30)
    expect(sent).toBeLessThan(300 * 2)
  })

  it('sends no e-mail alert when e-mail is off, no receipt when receipts are off, SMS only with a phone', async () => {
    const t = await testApp()
    const { subscriber } = await t.seed()
    const env: DomainEnv = { ...t.env, channels: new Set(['email', 'sms']) }
    const withChoices = (alerts: AlertChoices, phone?: string) =>
      t.store.transact(async (tx) => {
        const { phone: _p, ...sub } = (await tx.subscribers.get(subscriber.id))!
        await tx.subscribers.update({
          ...sub,
          email: 'alice@example.net',
          ...(phone ? { phone } : {}),
          alerts,
        })
      })
    const queue = async (key: string, event: SubscriberEvent) => {
      await t.store.transact((tx) =>
        queueNotification(tx, env, { key, event, subscriberId: subscriber.id, vars: {}, data: {} }),
      )
      return (await t.store.peek((tx) => tx.deliveries.forNotification(key))).map((d) => d.channel)
    }

    await withChoices({ email: false, sms: true, receipts: true }, '+254712345678')
    expect(await queue('a', 'usage.threshold')).toEqual(['sms'])
    expect(await queue('b', 'topup.applied')).toEqual(['email'])

    await withChoices({ email: true, sms: true, receipts: false })
    expect(await queue('c', 'usage.cap_reached')).toEqual(['email'])
    expect(await queue('d', 'invoice.issued')).toEqual([])
  })
})
