import { afterEach, describe, expect, it } from 'vitest'
import { type Reply, testApp } from '../testing/test-app.js'
import { deadUrl, signatureValid, webhookReceiver } from '../testing/webhook-receiver.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})

const SECRET = /^whsec_[A-Za-z0-9_-]{43}$/

describe('webhook endpoints API', () => {
  it('adds an endpoint with a fresh secret shown in that answer only, and lists it without one', async () => {
    const t = await testApp()
    const made = await t.call('POST', '/webhook-endpoints', {
      url: ' https://crm.example.com/capd ',
      events: ['usage.cap_reached', 'usage.threshold', 'usage.threshold'],
      description: 'CRM',
    })
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({
      url: 'https://crm.example.com/capd',
      events: ['usage.threshold', 'usage.cap_reached'],
      enabled: true,
      description: 'CRM',
      lastDelivery: null,
    })
    expect(made.body.secret).toMatch(SECRET)
    const other = await t.call('POST', '/webhook-endpoints', { url: 'http://10.0.0.9/hook' })
    expect(other.body.events).toEqual([])
    expect(other.body.secret).not.toBe(made.body.secret)

    const list = await t.call('GET', '/webhook-endpoints')
    expect(list.status).toBe(200)
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([made.body.id, other.body.id])
    expect(JSON.stringify(list.body)).not.toContain('whsec_')
    // Nor does the audit log keep it.
    expect(t.data.audit.at(-1)).toMatchObject({ action: 'webhook.add', entityId: other.body.id })
    expect(JSON.stringify(t.data.audit)).not.toContain('whsec_')
  })

  it('refuses bad input with the field named, and changes nothing', async () => {
    const t = await testApp()
    const kept = (await t.call('POST', '/webhook-endpoints', { url: 'https://crm.example.com/a' })).body
    const before = t.snapshot()
    const bad: [string, string, unknown, number, string][] = [
      ['POST', '/webhook-endpoints', { url: 'http://crm.example.com/hook' }, 400, 'url'],
      ['POST', '/webhook-endpoints', { url: 'ftp://crm.example.com/' }, 400, 'url'],
      ['POST', '/webhook-endpoints', { url: 'https://u:p@crm.example.com/' }, 400, 'url'],
      [
        'POST',
        '/webhook-endpoints',
        { url: 'https://crm.example.com/', events: ['usage.nope'] },
        400,
        'events.0',
      ],
      [
        'POST',
        '/webhook-endpoints',
        { url: 'https://crm.example.com/', description: 'a\nb' },
        400,
        'description',
      ],
      ['POST', '/webhook-endpoints', { url: 'https://crm.example.com/', secret: 'mine' }, 400, ''],
      ['POST', '/webhook-endpoints', {}, 400, 'url'],
      ['PATCH', `/webhook-endpoints/${kept.id}`, { url: 'https://other.example.com/' }, 400, ''],
      ['PATCH', `/webhook-endpoints/${kept.id}`, { enabled: 'no' }, 400, 'enabled'],
      ['PATCH', '/webhook-endpoints/whk_nope', { enabled: false }, 404, ''],
      ['DELETE', '/webhook-endpoints/whk_nope', undefined, 404, ''],
      ['POST', '/webhook-endpoints/whk_nope/rotate-secret', undefined, 404, ''],
      ['POST', '/webhook-endpoints/whk_nope/test', undefined, 404, ''],
    ]
    for (const [method, path, body, status, field] of bad) {
      const reply = await t.call(method, path, body)
      expect([method, path, reply.status]).toEqual([method, path, status])
      if (field) {
        expect(reply.body.error.details.map((d: { path: string }) => d.path)).toContain(field)
      }
      expect(t.snapshot()).toBe(before)
    }
  })

  it('stops at 20 endpoints', async () => {
    const t = await testApp()
    for (let i = 0; i < 20; i++) {
      expect((await t.call('POST', '/webhook-endpoints', { url: `https://h${i}.example.com/` })).status).toBe(
        201,
      )
    }
    const before = t.snapshot()
    const refused = await t.call('POST', '/webhook-endpoints', { url: 'https://one-more.example.com/' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain('delete one')
    expect(t.snapshot()).toBe(before)
  })

  it('changes events, description and enabled; rotates the secret; deletes', async () => {
    const t = await testApp()
    const made = (
      await t.call('POST', '/webhook-endpoints', { url: 'https://crm.example.com/', description: 'x' })
    ).body
    const changed = await t.call('PATCH', `/webhook-endpoints/${made.id}`, {
      events: ['agent.offline'],
      description: null,
      enabled: false,
    })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ events: ['agent.offline'], enabled: false })
    expect(changed.body.description).toBeUndefined()
    expect(changed.body.secret).toBeUndefined()
    expect(t.data.webhookEndpoints[made.id]!.secret).toBe(made.secret)

    const rotated = await t.call('POST', `/webhook-endpoints/${made.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).toMatch(SECRET)
    expect(rotated.body.secret).not.toBe(made.secret)
    expect(t.data.webhookEndpoints[made.id]!.secret).toBe(rotated.body.secret)
    expect(t.data.audit.at(-1)).toMatchObject({ action: 'webhook.rotate_secret', entityId: made.id })

    expect((await t.call('DELETE', `/webhook-endpoints/${made.id}`)).status).toBe(204)
    expect((await t.call('GET', '/webhook-endpoints')).body.items).toEqual([])
    expect((await t.call('DELETE', `/webhook-endpoints/${made.id}`)).status).toBe(404)
  })

  it('sends a signed webhook.test now and answers with what the receiver said', async () => {
    const r = await webhookReceiver((n) => (n === 1 ? { status: 202 } : { status: 503, body: 'maintenance' }))
    closers.push(r.close)
    const t = await testApp()
    const made = (await t.call('POST', '/webhook-endpoints', { url: r.url })).body
    const ok = await t.call('POST', `/webhook-endpoints/${made.id}/test`)
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ ok: true, status: 202 })
    expect(typeof ok.body.tookMs).toBe('number')
    const [req] = r.requests
    expect(req!.headers['x-capd-event']).toBe('webhook.test')
    const body = JSON.parse(req!.body)
    expect(body).toMatchObject({ event: 'webhook.test', data: { endpointId: made.id } })
    expect(req!.headers['x-capd-delivery']).toBe(body.id)
    expect(
      signatureValid(
        made.secret,
        req!.body,
        req!.headers['x-capd-signature'] as string,
        t.clock.now() / 1000,
      ),
    ).toBe(true)
    // Not through the outbox: nothing is queued or logged for it.
    expect(Object.keys(t.data.deliveries)).toHaveLength(0)

    const refused = await t.call('POST', `/webhook-endpoints/${made.id}/test`)
    expect(refused.body).toMatchObject({ ok: false, status: 503, error: 'HTTP 503: maintenance' })

    const dead = (await t.call('POST', '/webhook-endpoints', { url: await deadUrl() })).body
    const down = await t.call('POST', `/webhook-endpoints/${dead.id}/test`)
    expect(down.body.ok).toBe(false)
    expect(down.body.error).toContain('ECONNREFUSED')
  })

  it('is in the OpenAPI document', async () => {
    const t = await testApp()
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as Reply['body']
    const paths = doc.paths
    expect(Object.keys(paths['/api/v1/webhook-endpoints'])).toEqual(['get', 'post'])
    expect(Object.keys(paths['/api/v1/webhook-endpoints/{id}']).sort()).toEqual(['delete', 'patch'])
    expect(paths['/api/v1/webhook-endpoints/{id}/test'].post).toBeDefined()
    expect(paths['/api/v1/webhook-endpoints/{id}/rotate-secret'].post).toBeDefined()
    const hook = doc.webhooks.event.post
    expect(hook.parameters.map((p: { name: string }) => p.name)).toEqual([
      'X-Capd-Event',
      'X-Capd-Delivery',
      'X-Capd-Signature',
    ])
    expect(hook.requestBody.content['application/json'].schema.properties.event.enum).toContain(
      'webhook.test',
    )
  })
})
