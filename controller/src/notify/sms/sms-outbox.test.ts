import { memoryLogger } from '@capd/log'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { manualClock } from '../../clock.js'
import type { DomainEnv } from '../../domain/env.js'
import { emptyData } from '../../store/data.js'
import { DocumentStore } from '../../store/document-store.js'
import type { Notification } from '../../store/entities.js'
import { OutboxSender } from '../outbox-sender.js'
import { newDelivery } from '../queue.js'
import { buildSmsSender } from './sms-sender.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const ACCOUNT = `AC${'5'.repeat(32)}`
const NOW = Date.parse('2026-03-10T12:00:00Z')

/** The outbox with one SMS queued per number, sent through Twilio as main would build it. */
async function outbox(numbers: string[]) {
  const clock = manualClock(NOW)
  const store = new DocumentStore(emptyData(), null)
  const env: DomainEnv = {
    clock,
    timeZone: 'UTC',
    currency: 'KES',
    idempotencyTtlMs: 24 * 3600_000,
    channels: new Set(['sms']),
  }
  const { logger } = memoryLogger()
  const sms = buildSmsSender(
    {
      CAPD_SMS_PROVIDER: 'twilio',
      CAPD_TWILIO_ACCOUNT_SID: ACCOUNT,
      CAPD_TWILIO_AUTH_TOKEN: 'token',
      CAPD_TWILIO_FROM: 'MYISP',
    },
    logger,
  )!
  const ids = await store.transact(async (tx) => {
    const out: string[] = []
    for (const [i, to] of numbers.entries()) {
      const n: Notification = {
        id: `usage.threshold/sub_${i}/80`,
        event: 'usage.threshold',
        subscriberId: `sub_${i}`,
        vars: { percent: '80%' },
        data: {},
        createdAtMs: NOW,
      }
      await tx.notifications.insert(n)
      const d = newDelivery(n, 'sms', to, NOW)
      await tx.deliveries.insert(d)
      out.push(d.id)
    }
    return out
  })
  const sender = new OutboxSender({ store, env, logger, senders: [sms] })
  const row = (id: string) => store.transact((tx) => tx.deliveries.get(id))
  return { sender, ids, row }
}

describe('SMS through the outbox', () => {
  it("records Twilio's sid as the ref, fails a rejected number at once, and retries an outage", async () => {
    const sent: string[] = []
    server.use(
      http.post(
        `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages.json`,
        async ({ request }) => {
          const to = new URLSearchParams(await request.text()).get('To')!
          sent.push(to)
          if (to === '+254700000001') {
            return HttpResponse.json(
              {
                code: 21211,
                message: "The 'To' number +254700000001 is not a valid phone number.",
                status: 400,
              },
              { status: 400 },
            )
          }
          if (to === '+254700000002') return new HttpResponse('upstream down', { status: 503 })
          return HttpResponse.json({ sid: `SM${'7'.repeat(32)}`, status: 'queued' }, { status: 201 })
        },
      ),
    )
    const { sender, ids, row } = await outbox(['+254700000000', '+254700000001', '+254700000002'])
    expect(await sender.pass()).toBe(3)
    expect(sent.sort()).toEqual(['+254700000000', '+254700000001', '+254700000002'])
    expect(await row(ids[0]!)).toMatchObject({
      status: 'sent',
      providerRef: `SM${'7'.repeat(32)}`,
      attempts: 1,
    })
    expect(await row(ids[1]!)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: "Twilio 21211: The 'To' number +254700000001 is not a valid phone number.",
    })
    const later = await row(ids[2]!)
    expect(later).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: 'Twilio answered 503: upstream down',
    })
    expect(later!.nextAttemptAtMs).toBeGreaterThan(NOW)
  })
})
