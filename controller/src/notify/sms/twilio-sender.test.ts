import { memoryLogger } from '@capd/log'
import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { randomText, smsTo } from './sms-test-kit.js'
import { twilioConfig } from './twilio-config.js'
import { TwilioSender } from './twilio-sender.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const ACCOUNT = `AC${'a1b2c3d4'.repeat(4)}`
const TOKEN = 'auth-token-0123456789abcdef'
const API_KEY = `SK${'0f'.repeat(16)}`
const API_SECRET = 'api-key-secret-abcdef'
const SERVICE = `MG${'9e'.repeat(16)}`
const TO = '+254712345678'
const MESSAGES = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages.json`

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`

interface Seen {
  method: string
  authorization: string | null
  contentType: string | null
  form: [string, string][]
}

/** Twilio's Messages resource: a 201 with the message (its sid), or `answer` when given. */
function twilio(answer?: () => Response | Promise<Response>) {
  const seen: Seen[] = []
  server.use(
    http.post(MESSAGES, async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      seen.push({
        method: request.method,
        authorization: request.headers.get('authorization'),
        contentType: request.headers.get('content-type'),
        form: [...form],
      })
      if (answer) return answer()
      const sid = `SM${seen.length.toString(16).padStart(32, '0')}`
      return HttpResponse.json(
        {
          account_sid: ACCOUNT,
          api_version: '2010-04-01',
          body: form.get('Body'),
          date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: form.get('From'),
          messaging_service_sid: form.get('MessagingServiceSid'),
          num_segments: '1',
          sid,
          status: 'queued',
          to: form.get('To'),
          uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${sid}.json`,
        },
        { status: 201 },
      )
    }),
  )
  return seen
}

/** One of Twilio's error answers. */
const twilioError = (status: number, code: number, message: string) => () =>
  HttpResponse.json(
    { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    { status },
  )

function sender(env: Record<string, string> = {}, timeoutMs?: number) {
  const { logger, records } = memoryLogger()
  const config = twilioConfig({
    CAPD_TWILIO_ACCOUNT_SID: ACCOUNT,
    CAPD_TWILIO_AUTH_TOKEN: TOKEN,
    CAPD_TWILIO_FROM: '+15005550006',
    ...env,
  })
  return { sms: new TwilioSender(config, { logger, ...(timeoutMs ? { timeoutMs } : {}) }), records }
}

describe('sending through Twilio', () => {
  it("posts To, From and Body as a form with the account's Basic auth; the message sid is the ref", async () => {
    const seen = twilio()
    const { sms } = sender()
    const texts = Array.from({ length: 40 }, (_, i) => `«${randomText(i + 100)}»`)
    for (const [i, text] of texts.entries()) {
      expect(await sms.send(smsTo(TO, text))).toEqual({
        ok: true,
        ref: `SM${(i + 1).toString(16).padStart(32, '0')}`,
      })
    }
    seen.forEach((s, i) => {
      expect(s.method).toBe('POST')
      expect(s.authorization).toBe(basic(ACCOUNT, TOKEN))
      expect(s.contentType).toBe('application/x-www-form-urlencoded')
      expect(s.form).toEqual([
        ['To', TO],
        ['From', '+15005550006'],
        ['Body', texts[i]],
      ])
    })
  })

  it('with an API key and a Messaging Service: the key authenticates, the service replaces From', async () => {
    const seen = twilio()
    const { sms } = sender({
      CAPD_TWILIO_AUTH_TOKEN: '',
      CAPD_TWILIO_FROM: '',
      CAPD_TWILIO_API_KEY_SID: API_KEY,
      CAPD_TWILIO_API_KEY_SECRET: API_SECRET,
      CAPD_TWILIO_MESSAGING_SERVICE_SID: SERVICE,
    })
    expect(await sms.send(smsTo(TO, 'Your data is 80% used'))).toMatchObject({ ok: true })
    expect(seen[0]!.authorization).toBe(basic(API_KEY, API_SECRET))
    expect(seen[0]!.form).toEqual([
      ['To', TO],
      ['MessagingServiceSid', SERVICE],
      ['Body', 'Your data is 80% used'],
    ])
  })

  it('goes to CAPD_TWILIO_API_URL when set', async () => {
    const seen: string[] = []
    server.use(
      http.post('http://twilio.test:4010/2010-04-01/Accounts/:sid/Messages.json', ({ params }) => {
        seen.push(String(params.sid))
        return HttpResponse.json({ sid: 'SMlocal' }, { status: 201 })
      }),
    )
    const { sms } = sender({ CAPD_TWILIO_API_URL: 'http://twilio.test:4010/' })
    expect(await sms.send(smsTo(TO, 'hi'))).toEqual({ ok: true, ref: 'SMlocal' })
    expect(seen).toEqual([ACCOUNT])
  })

  it('caps the body at 1600 characters', async () => {
    const seen = twilio()
    await sender().sms.send(smsTo(TO, 'y'.repeat(5000)))
    const body = new Map(seen[0]!.form).get('Body')!
    expect(body).toHaveLength(1600)
    expect(body.endsWith('y…')).toBe(true)
  })
})

describe("Twilio's refusals", () => {
  it('a number Twilio rejects fails at once, with its code and words', async () => {
    const cases = [
      [21211, "The 'To' number +254712345678 is not a valid phone number."],
      [21610, 'Attempt to send to unsubscribed recipient'],
      [21614, "'To' number is not a valid mobile number"],
      [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"],
    ] as const
    for (const [code, message] of cases) {
      server.resetHandlers()
      twilio(twilioError(400, code, message))
      expect(await sender().sms.send(smsTo(TO, 'hi'))).toEqual({
        ok: false,
        error: `Twilio ${code}: ${message}`,
        retry: false,
      })
    }
  })

  it('refused credentials are retried but logged as a configuration problem, once until a send succeeds', async () => {
    twilio(() =>
      HttpResponse.json(
        {
          code: 20003,
          detail: 'Your AccountSid or AuthToken was incorrect.',
          message: 'Authenticate',
          more_info: 'https://www.twilio.com/docs/errors/20003',
          status: 401,
        },
        { status: 401 },
      ),
    )
    const { sms, records } = sender()
    for (let i = 0; i < 3; i++) {
      expect(await sms.send(smsTo(TO, 'hi'))).toEqual({
        ok: false,
        error: 'Twilio 20003: Authenticate',
        retry: true,
      })
    }
    const loud = records().filter((r) => r.level === 50)
    expect(loud).toHaveLength(1)
    expect(loud[0]!.msg).toMatch(/credentials.*CAPD_TWILIO_AUTH_TOKEN/)
    expect(JSON.stringify(records())).not.toContain(TOKEN)

    server.resetHandlers()
    twilio()
    expect(await sms.send(smsTo(TO, 'hi'))).toMatchObject({ ok: true })
    server.resetHandlers()
    twilio(twilioError(401, 20003, 'Authenticate'))
    await sms.send(smsTo(TO, 'hi'))
    expect(records().filter((r) => r.level === 50)).toHaveLength(2)
  })

  it('throttling (429, code 20429) and 5xx are retried', async () => {
    twilio(twilioError(429, 20429, 'Too Many Requests'))
    expect(await sender().sms.send(smsTo(TO, 'hi'))).toEqual({
      ok: false,
      error: 'Twilio 20429: Too Many Requests',
      retry: true,
    })
    for (const status of [500, 502, 503]) {
      server.resetHandlers()
      twilio(() => new HttpResponse('<html><body>Service Unavailable</body></html>', { status }))
      expect(await sender().sms.send(smsTo(TO, 'hi'))).toEqual({
        ok: false,
        error: `Twilio answered ${status}: <html><body>Service Unavailable</body></html>`,
        retry: true,
      })
    }
  })

  it('a malformed error answer is judged by its status alone', async () => {
    twilio(
      () =>
        new HttpResponse('{"code": 212', { status: 400, headers: { 'content-type': 'application/json' } }),
    )
    expect(await sender().sms.send(smsTo(TO, 'hi'))).toEqual({
      ok: false,
      error: 'Twilio answered 400: {"code": 212',
      retry: false,
    })
    server.resetHandlers()
    twilio(() => new HttpResponse('not json', { status: 500 }))
    expect(await sender().sms.send(smsTo(TO, 'hi'))).toMatchObject({ ok: false, retry: true })
  })

  it('a 201 whose body cannot be read is still sent (retrying would text the customer twice), and said', async () => {
    twilio(() => new HttpResponse('{"sid": "SM', { status: 201 }))
    const { sms, records } = sender()
    expect(await sms.send(smsTo(TO, 'hi'))).toEqual({ ok: true })
    expect(records().some((r) => r.level === 40 && /no message sid/.test(String(r.msg)))).toBe(true)
  })

  it('no answer within the timeout is retried', async () => {
    twilio(async () => {
      await delay('infinite')
      return new HttpResponse(null, { status: 201 })
    })
    expect(await sender({}, 50).sms.send(smsTo(TO, 'hi'))).toEqual({
      ok: false,
      error: 'Twilio did not answer within 0.05 s',
      retry: true,
    })
  })
})
