import { randomBytes, randomInt } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../clock.js'
import { deadUrl, signatureValid, webhookReceiver } from '../testing/webhook-receiver.js'
import { CAPD_VERSION } from '../version.js'
import { postWebhook, type WebhookPayload, webhookSignature } from './webhook-post.js'

const NOW_MS = Date.parse('2026-03-10T12:00:00.750Z')
const clock = manualClock(NOW_MS)
const SECRET = 'whsec_test-secret-0123456789'

const payload = (over: Partial<WebhookPayload> = {}): WebhookPayload => ({
  id: 'dlv_0001',
  event: 'usage.threshold',
  createdAt: new Date(NOW_MS).toISOString(),
  subscriberId: 'sub_1',
  data: { usedBytes: 80e9, limitBytes: 100e9, percent: 80, name: 'Ünïcode “quotes” 🚀' },
  ...over,
})

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await closers.pop()!()
})
async function receiver(...args: Parameters<typeof webhookReceiver>) {
  const r = await webhookReceiver(...args)
  closers.push(r.close)
  return r
}

describe('a webhook request', () => {
  it('carries the JSON body, capd headers and a signature the receiver verifies with its own HMAC', async () => {
    const r = await receiver()
    const sent = payload()
    const answer = await postWebhook({ url: r.url, secret: SECRET }, sent, { clock })
    expect(answer).toMatchObject({ ok: true, status: 200 })
    const [req] = r.requests
    expect(req).toBeDefined()
    expect(req!.method).toBe('POST')
    expect(req!.path).toBe('/hook')
    expect(req!.headers['content-type']).toBe('application/json')
    expect(req!.headers['user-agent']).toBe(`capd/${CAPD_VERSION}`)
    expect(req!.headers['x-capd-event']).toBe('usage.threshold')
    expect(req!.headers['x-capd-delivery']).toBe('dlv_0001')
    expect(JSON.parse(req!.body)).toEqual(sent)
    const signature = req!.headers['x-capd-signature'] as string
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    expect(signature.startsWith(`t=${Math.floor(NOW_MS / 1000)},`)).toBe(true)
    expect(signatureValid(SECRET, req!.body, signature, NOW_MS / 1000)).toBe(true)
  })

  it('fails verification when the body, the secret, the time or the signature is changed (random cases)', async () => {
    for (let i = 0; i < 200; i++) {
      const secret = `whsec_${randomBytes(32).toString('base64url')}`
      const body = JSON.stringify({
        id: `dlv_${i}`,
        data: { n: randomInt(1e9), s: randomBytes(8).toString('hex') },
      })
      const atMs = NOW_MS + randomInt(-1e9, 1e9)
      const header = webhookSignature(secret, body, atMs)
      const nowS = atMs / 1000
      expect(signatureValid(secret, body, header, nowS)).toBe(true)
      // One character of the body changed.
      const at = randomInt(body.length)
      const flipped = body.slice(0, at) + String.fromCharCode(body.charCodeAt(at) ^ 1) + body.slice(at + 1)
      expect(signatureValid(secret, flipped, header, nowS)).toBe(false)
      expect(signatureValid(`${secret}x`, body, header, nowS)).toBe(false)
      // The time moved (a replay with a fresh t), or presented outside the 5-minute tolerance.
      const t = Math.floor(atMs / 1000)
      expect(signatureValid(secret, body, header.replace(`t=${t}`, `t=${t + 1}`), nowS)).toBe(false)
      expect(signatureValid(secret, body, header, nowS + 301)).toBe(false)
      // One hex digit of the MAC changed.
      const mac = header.slice(-64)
      const d = randomInt(64)
      const other = mac.slice(0, d) + (mac[d] === '0' ? '1' : '0') + mac.slice(d + 1)
      expect(signatureValid(secret, body, header.replace(mac, other), nowS)).toBe(false)
    }
  })

  it('takes any 2xx as delivered', async () => {
    for (const status of [200, 201, 202, 204, 299]) {
      const r = await receiver(() => ({ status }))
      expect(await postWebhook({ url: r.url, secret: SECRET }, payload(), { clock })).toMatchObject({
        ok: true,
        status,
      })
    }
  })

  it('reports a refusal with its status and the first 200 characters of its body', async () => {
    const body = `  ${'e'.repeat(150)}${'f'.repeat(5000)}`
    const r = await receiver(() => ({ status: 500, body }))
    const answer = await postWebhook({ url: r.url, secret: SECRET }, payload(), { clock })
    expect(answer).toMatchObject({ ok: false, status: 500 })
    expect(answer.ok || answer.error).toBe(`HTTP 500: ${'e'.repeat(150)}${'f'.repeat(50)}`)
    const bare = await receiver(() => ({ status: 404 }))
    const notFound = await postWebhook({ url: bare.url, secret: SECRET }, payload(), { clock })
    expect(notFound.ok || notFound.error).toBe('HTTP 404')
  })

  it('does not follow a redirect: the signed body never reaches the other host', async () => {
    const elsewhere = await receiver()
    const r = await receiver(() => ({ status: 307, headers: { location: elsewhere.url } }))
    const answer = await postWebhook({ url: r.url, secret: SECRET }, payload(), { clock })
    expect(answer).toMatchObject({ ok: false, status: 307 })
    expect(answer.ok || answer.error).toContain('redirects are not followed')
    expect(elsewhere.requests).toHaveLength(0)
  })

  it('gives up on a receiver that does not answer in time, and names a refused connection', async () => {
    const r = await receiver(() => ({ status: 200, hang: true }))
    const slow = await postWebhook({ url: r.url, secret: SECRET }, payload(), { clock, timeoutMs: 300 })
    expect(slow.ok || slow.error).toBe('no answer within 0.3 s')
    const down = await postWebhook({ url: await deadUrl(), secret: SECRET }, payload(), { clock })
    expect(down.ok || down.error).toContain('ECONNREFUSED')
  })
})
