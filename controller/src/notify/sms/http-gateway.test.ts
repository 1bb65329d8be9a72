import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SMS_TIMEOUT_MS } from './http-answer.js'
import { HttpSmsGateway } from './http-gateway.js'
import { httpGatewayConfig } from './http-gateway-config.js'
import { randomText, smsTo } from './sms-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const GATEWAY = 'https://sms.gateway.example'
const TO = '+254712345678'
const KEY = 'gw-key-0123456789'

interface Seen {
  method: string
  url: URL
  headers: Headers
  body: string
}

/** The gateway answering `answer` to every request, and everything capd sent it. */
function gateway(path: string, answer: () => Response | Promise<Response> = () => new HttpResponse('OK')) {
  const seen: Seen[] = []
  server.use(
    http.all(`${GATEWAY}${path}`, async ({ request }) => {
      seen.push({
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        body: await request.text(),
      })
      return answer()
    }),
  )
  return seen
}

function sender(env: Record<string, string>, timeoutMs?: number) {
  return new HttpSmsGateway(httpGatewayConfig({ CAPD_SMS_PROVIDER: 'http', ...env }), {
    ...(timeoutMs ? { timeoutMs } : {}),
  })
}

/** Texts that do not begin or end with white space (an SMS is trimmed). */
const texts = [
  // Placeholders and replacement patterns in a text are text: the templates are filled in one pass.
  'Costs {{from}} $& $1 to {{to}} & {{text}}',
  ...Array.from({ length: 60 }, (_, i) => `«${randomText(i + 1)}»`),
]

describe('the generic HTTP gateway carries every text intact', () => {
  it('in the query of a GET, each value URL-encoded', async () => {
    const seen = gateway('/api/send')
    const sms = sender({
      CAPD_SMS_URL: `${GATEWAY}/api/send?user=capd&to={{to}}&msg={{text}}&sender={{from}}`,
      CAPD_SMS_FROM: 'My ISP & Co',
      CAPD_SMS_AUTH_HEADER: `Authorization: Bearer ${KEY}`,
    })
    for (const text of texts) expect(await sms.send(smsTo(TO, text))).toEqual({ ok: true })
    expect(seen).toHaveLength(texts.length)
    seen.forEach((s, i) => {
      expect(s.method).toBe('GET')
      expect(s.headers.get('authorization')).toBe(`Bearer ${KEY}`)
      expect([...s.url.searchParams]).toEqual([
        ['user', 'capd'],
        ['to', TO],
        ['msg', texts[i]],
        ['sender', 'My ISP & Co'],
      ])
      expect(s.body).toBe('')
    })
  })

  it('in a form body, each value form-encoded', async () => {
    const seen = gateway('/version1/messaging')
    const sms = sender({
      CAPD_SMS_URL: `${GATEWAY}/version1/messaging`,
      CAPD_SMS_BODY: 'username=isp&to={{to}}&message={{text}}&from={{from}}',
      CAPD_SMS_FROM: 'MYISP',
      CAPD_SMS_AUTH_HEADER: `apiKey: ${KEY}`,
    })
    for (const text of texts) expect(await sms.send(smsTo(TO, text))).toEqual({ ok: true })
    seen.forEach((s, i) => {
      expect(s.method).toBe('POST')
      expect(s.headers.get('apikey')).toBe(KEY)
      expect(s.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
      expect([...new URLSearchParams(s.body)]).toEqual([
        ['username', 'isp'],
        ['to', TO],
        ['message', texts[i]],
        ['from', 'MYISP'],
      ])
    })
  })

  it('in a JSON body, each value JSON-escaped', async () => {
    const seen = gateway('/v2/sms')
    const sms = sender({
      CAPD_SMS_URL: `${GATEWAY}/v2/sms`,
      CAPD_SMS_BODY: '{"messages":[{"destinations":[{"to":"{{to}}"}],"from":"{{from}}","text":"{{text}}"}]}',
      CAPD_SMS_CONTENT_TYPE: 'application/json; charset=utf-8',
      CAPD_SMS_FROM: 'Say "hi"',
    })
    for (const text of texts) expect(await sms.send(smsTo(TO, text))).toEqual({ ok: true })
    seen.forEach((s, i) => {
      expect(s.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(JSON.parse(s.body)).toEqual({
        messages: [{ destinations: [{ to: TO }], from: 'Say "hi"', text: texts[i] }],
      })
    })
  })

  it('caps a long text at 1600 characters', async () => {
    const seen = gateway('/send')
    const sms = sender({
      CAPD_SMS_URL: `${GATEWAY}/send`,
      CAPD_SMS_BODY: '{"to":"{{to}}","text":"{{text}}"}',
    })
    expect(await sms.send(smsTo(TO, 'x'.repeat(1599) + '😀'.repeat(10)))).toEqual({ ok: true })
    const text = (JSON.parse(seen[0]!.body) as { text: string }).text
    expect(text.length).toBeLessThanOrEqual(1600)
    expect(text).toBe(`${'x'.repeat(1599)}…`)
  })
})

describe("the gateway's answer", () => {
  const url = `${GATEWAY}/send?to={{to}}&text={{text}}`
  const refused = (status: number, body: string) => () => new HttpResponse(body, { status })

  it('any 2xx is sent when no success pattern is set', async () => {
    gateway('/send', () => new HttpResponse('', { status: 202 }))
    expect(await sender({ CAPD_SMS_URL: url }).send(smsTo(TO, 'hi'))).toEqual({ ok: true })
  })

  it('with a success pattern, a 2xx counts only if its body matches; the first group is the ref', async () => {
    const env = {
      CAPD_SMS_URL: `${GATEWAY}/version1/messaging`,
      CAPD_SMS_BODY: 'username=isp&to={{to}}&message={{text}}',
      CAPD_SMS_SUCCESS_PATTERN: '"status":"Success".*?"messageId":"([^"]+)"',
    }
    const recipient = (status: string, statusCode: number, messageId: string) =>
      HttpResponse.json(
        {
          SMSMessageData: {
            Message: 'Sent to 1/1 Total Cost: KES 0.8000',
            Recipients: [{ statusCode, number: TO, status, cost: 'KES 0.8000', messageId }],
          },
        },
        { status: 201 },
      )
    gateway('/version1/messaging', () => recipient('Success', 101, 'ATXid_4f1e'))
    expect(await sender(env).send(smsTo(TO, 'hi'))).toEqual({ ok: true, ref: 'ATXid_4f1e' })

    server.resetHandlers()
    gateway('/version1/messaging', () => recipient('InvalidPhoneNumber', 403, 'None'))
    const outcome = await sender(env).send(smsTo(TO, 'hi'))
    expect(outcome).toMatchObject({ ok: false, retry: false })
    expect(outcome.ok || outcome.error).toMatch(/did not confirm.*InvalidPhoneNumber/)
  })

  it('a 4xx is final, with what the gateway said (trimmed) as the error', async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      server.resetHandlers()
      gateway('/send', refused(status, `  {"error":\n  "invalid number ${status}"}  ${'x'.repeat(400)}`))
      const outcome = await sender({ CAPD_SMS_URL: url }).send(smsTo(TO, 'hi'))
      expect(outcome).toMatchObject({ ok: false, retry: false })
      if (outcome.ok) continue
      expect(outcome.error).toMatch(
        new RegExp(`^the SMS gateway answered ${status}: \\{"error": "invalid number ${status}"\\} x+…$`),
      )
      expect(outcome.error.length).toBeLessThan(360)
    }
  })

  it('408, 429 and 5xx are retried, whatever the body', async () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      server.resetHandlers()
      gateway('/send', refused(status, status === 503 ? '' : '<html>busy</html>'))
      const outcome = await sender({ CAPD_SMS_URL: url }).send(smsTo(TO, 'hi'))
      expect(outcome).toMatchObject({ ok: false, retry: true })
      expect(outcome.ok || outcome.error).toContain(`answered ${status}`)
    }
  })

  it('no answer within the timeout is retried', async () => {
    gateway('/send', async () => {
      await delay('infinite')
      return new HttpResponse('late')
    })
    const outcome = await sender({ CAPD_SMS_URL: url }, 50).send(smsTo(TO, 'hi'))
    expect(outcome).toEqual({ ok: false, error: 'the SMS gateway did not answer within 0.05 s', retry: true })
    expect(SMS_TIMEOUT_MS).toBe(10_000)
  })

  it('a network failure is retried, and the error never shows the URL (it may hold a key)', async () => {
    server.use(http.all(`${GATEWAY}/send`, () => HttpResponse.error()))
    const outcome = await sender({ CAPD_SMS_URL: `${url}&key=${KEY}` }).send(smsTo(TO, 'hi'))
    expect(outcome).toMatchObject({ ok: false, retry: true })
    expect(outcome.ok || outcome.error).toMatch(/^could not reach the SMS gateway/)
    expect(JSON.stringify(outcome)).not.toContain(KEY)
  })
})
