import { memoryLogger } from '@capd/log'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../clock.js'
import type { DomainEnv } from '../domain/env.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import type { NotificationEvent } from '../store/entities.js'
import { deadUrl, signatureValid, webhookReceiver } from '../testing/webhook-receiver.js'
import { retryDelayMs } from './backoff.js'
import { OutboxSender } from './outbox-sender.js'
import { queueNotification, RETRY_WINDOW_MS } from './queue.js'
import { addWebhookEndpoint, changeWebhookEndpoint } from './webhook-endpoints.js'
import { webhookSender } from './webhook-sender.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

async function outbox() {
  const clock = manualClock(Date.parse('2026-03-10T12:00:00Z'))
  const store = new DocumentStore(emptyData(), null)
  const env: DomainEnv = { clock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 86400_000 }
  const sender = new OutboxSender({
    store,
    env,
    logger: memoryLogger().logger,
    senders: [webhookSender({ clock })],
  })
  const addEndpoint = (url: string, events: NotificationEvent[] = []) =>
    store.transact((tx) => addWebhookEndpoint(tx, env, 'test', { url, events }))
  let n = 0
  const notify = (event: NotificationEvent = 'agent.offline') =>
    store.transact((tx) =>
      queueNotification(tx, env, {
        key: `${event}/agt_1/${++n}`,
        event,
        agentId: 'agt_1',
        vars: { agent: 'tower-1' },
        data: { agentId: 'agt_1', lastSeenAt: '2026-03-10T11:55:00.000Z' },
      }),
    )
  const deliveries = () => store.peek(async (tx) => (await tx.deliveries.find({ limit: 100 })).items)
  return { clock, store, env, sender, addEndpoint, notify, deliveries }
}

describe('webhook deliveries through the outbox', () => {
  it('a receiver answering 500 three times gets the fourth attempt, with the same delivery id, each signed', async () => {
    const r = await webhookReceiver((n) => (n <= 3 ? { status: 500, body: `down ${n}` } : { status: 204 }))
    closers.push(r.close)
    const o = await outbox()
    const endpoint = await o.addEndpoint(r.url)
    const notification = (await o.notify())!
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await o.sender.pass()).toBe(1)
      const [d] = await o.deliveries()
      expect(d!.attempts).toBe(attempt)
      if (attempt < 4) {
        expect(d).toMatchObject({ status: 'queued', lastError: `HTTP 500: down ${attempt}` })
        // Not due before its backoff ends.
        o.clock.advance(retryDelayMs(attempt) - 1)
        expect(await o.sender.pass()).toBe(0)
        o.clock.advance(1)
      }
    }
    const [d] = await o.deliveries()
    expect(d).toMatchObject({ status: 'sent', attempts: 4, providerRef: 'HTTP 204' })
    expect(d!.lastError).toBeUndefined()
    expect(r.requests).toHaveLength(4)
    const ids = new Set(r.requests.map((q) => q.headers['x-capd-delivery']))
    expect([...ids]).toEqual([d!.id])
    for (const q of r.requests) {
      const sentS = Number(/t=(\d+)/.exec(q.headers['x-capd-signature'] as string)![1])
      expect(signatureValid(endpoint.secret, q.body, q.headers['x-capd-signature'] as string, sentS)).toBe(
        true,
      )
      expect(JSON.parse(q.body)).toEqual({
        id: d!.id,
        event: 'agent.offline',
        createdAt: new Date(notification.createdAtMs).toISOString(),
        agentId: 'agt_1',
        data: notification.data,
      })
    }
    // Each retry is signed at its own time, not the first attempt's.
    const times = r.requests.map((q) => /t=(\d+)/.exec(q.headers['x-capd-signature'] as string)![1])
    expect(new Set(times).size).toBe(4)
  })

  it('a receiver down for the whole retry window ends failed, after as many attempts as the backoff allows', async () => {
    const o = await outbox()
    await o.addEndpoint(await deadUrl())
    await o.notify()
    const startMs = o.clock.now()
    for (let guard = 0; guard < 1000; guard++) {
      await o.sender.pass()
      const [d] = await o.deliveries()
      if (d!.status === 'failed') break
      o.clock.set(d!.nextAttemptAtMs)
    }
    const [d] = await o.deliveries()
    // 30 s doubling to the hour's cap: retries at 30 s … 3810 s, then hourly while within 24 h.
    let expected = 1
    for (let atMs = 0; atMs + retryDelayMs(expected) <= RETRY_WINDOW_MS; ) atMs += retryDelayMs(expected++)
    expect(expected).toBe(30)
    expect(d).toMatchObject({ status: 'failed', attempts: expected })
    expect(d!.lastError).toContain('ECONNREFUSED')
    expect(d!.lastAttemptAtMs! - startMs).toBeLessThanOrEqual(RETRY_WINDOW_MS)
  })

  it('a disabled endpoint gets no deliveries, and one disabled after queueing gets no request', async () => {
    const r = await webhookReceiver()
    closers.push(r.close)
    const o = await outbox()
    const on = await o.addEndpoint(r.url)
    const off = await o.addEndpoint(`${r.url}?off`)
    await o.store.transact((tx) => changeWebhookEndpoint(tx, o.env, 'test', off.id, { enabled: false }))
    await o.notify()
    expect((await o.deliveries()).map((d) => d.to)).toEqual([on.id])

    await o.store.transact((tx) => changeWebhookEndpoint(tx, o.env, 'test', on.id, { enabled: false }))
    await o.sender.pass()
    expect(r.requests).toHaveLength(0)
    expect((await o.deliveries())[0]).toMatchObject({ status: 'failed', attempts: 0 })
  })

  it('an endpoint gets only the events it took (none named: all)', async () => {
    const r = await webhookReceiver()
    closers.push(r.close)
    const o = await outbox()
    const some = await o.addEndpoint(`${r.url}?some`, ['agent.offline', 'agent.back'])
    const all = await o.addEndpoint(`${r.url}?all`)
    await o.notify('agent.offline')
    await o.notify('store.near_full')
    await o.sender.pass()
    const got = (path: string) =>
      r.requests.filter((q) => q.path === path).map((q) => q.headers['x-capd-event'])
    expect(got('/hook?some').sort()).toEqual(['agent.offline'])
    expect(got('/hook?all').sort()).toEqual(['agent.offline', 'store.near_full'])
    expect(some.id).not.toBe(all.id)
  })
})
