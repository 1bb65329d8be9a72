/** A running controller sends webhooks: an endpoint added over the API gets the next event, signed. */
import { silentLogger } from '@capd/log'
import { afterEach, describe, expect, it } from 'vitest'
import { bootstrap } from './auth/bootstrap.js'
import { systemClock } from './clock.js'
import { runController } from './controller.js'
import type { DomainEnv } from './domain/env.js'
import { queueNotification } from './notify/queue.js'
import { emptyData } from './store/data.js'
import { DocumentStore } from './store/document-store.js'
import { TEST_TOKEN } from './testing/test-app.js'
import { signatureValid, webhookReceiver } from './testing/webhook-receiver.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

describe('the running controller', () => {
  it('delivers a queued event to an endpoint added over the API, without waiting for its timer', async () => {
    const r = await webhookReceiver(() => ({ status: 200 }))
    closers.push(r.close)
    const store = new DocumentStore(emptyData(), null)
    const env: DomainEnv = {
      clock: systemClock,
      timeZone: 'UTC',
      currency: 'USD',
      idempotencyTtlMs: 3600_000,
    }
    await bootstrap(store, env, { bootstrapToken: TEST_TOKEN })
    const controller = await runController({ store, env, logger: silentLogger, port: 0, host: '127.0.0.1' })
    closers.push(() => controller.stop())
    const added = await fetch(`http://127.0.0.1:${controller.port}/api/v1/webhook-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: r.url, events: ['agent.offline'] }),
    })
    const endpoint = (await added.json()) as { secret: string }
    await store.transact((tx) =>
      queueNotification(tx, env, {
        key: 'agent.offline/agt_1/1',
        event: 'agent.offline',
        agentId: 'agt_1',
        vars: {},
        data: { agentId: 'agt_1' },
      }),
    )
    // The commit kicks the outbox; its own timer is 5 s, so arriving well before that shows the kick.
    for (let waited = 0; r.requests.length === 0 && waited < 3000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const [req] = r.requests
    expect(req?.headers['x-capd-event']).toBe('agent.offline')
    expect(
      signatureValid(
        endpoint.secret,
        req!.body,
        req!.headers['x-capd-signature'] as string,
        Date.now() / 1000,
      ),
    ).toBe(true)
  })
})
