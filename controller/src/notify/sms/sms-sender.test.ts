import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { silentLogger } from '@capd/log'
import { describe, expect, it } from 'vitest'
import { HttpSmsGateway } from './http-gateway.js'
import { httpGatewayConfig } from './http-gateway-config.js'
import { buildSmsSender } from './sms-sender.js'
import { twilioConfig } from './twilio-config.js'
import { TwilioSender } from './twilio-sender.js'

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`
const SECRET = 'S3CRET-never-shown'
const TWILIO = {
  CAPD_SMS_PROVIDER: 'twilio',
  CAPD_TWILIO_ACCOUNT_SID: ACCOUNT,
  CAPD_TWILIO_AUTH_TOKEN: SECRET,
  CAPD_TWILIO_FROM: '+15005550006',
}
const HTTP = {
  CAPD_SMS_PROVIDER: 'http',
  CAPD_SMS_URL: 'https://sms.gateway.example/send',
  CAPD_SMS_BODY: 'to={{to}}&text={{text}}',
  CAPD_SMS_AUTH_HEADER: `Authorization: Bearer ${SECRET}`,
}

const build = (env: NodeJS.ProcessEnv) => buildSmsSender(env, silentLogger)

/** The error `env` is refused with; it must never show the secret. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    build(env)
  } catch (err) {
    const message = (err as Error).message
    expect(message).not.toContain(SECRET)
    return message
  }
  throw new Error('accepted')
}

describe('buildSmsSender', () => {
  it('builds nothing when no SMS setting is given', () => {
    expect(build({})).toBeUndefined()
    expect(build({ CAPD_SMS_PROVIDER: '  ', CAPD_STRIPE_SECRET_KEY: 'sk_x' })).toBeUndefined()
  })

  it('builds the generic gateway or Twilio as CAPD_SMS_PROVIDER says', () => {
    expect(build(HTTP)).toBeInstanceOf(HttpSmsGateway)
    expect(build(TWILIO)).toBeInstanceOf(TwilioSender)
    expect(build(HTTP)!.channel).toBe('sms')
  })

  it('refuses settings without a provider, an unknown provider, and one provider with the other’s settings', () => {
    expect(refusal({ CAPD_SMS_URL: 'https://x.example/{{to}}/{{text}}' })).toMatch(
      /^CAPD_SMS_URL is set but CAPD_SMS_PROVIDER is not/,
    )
    expect(refusal({ CAPD_TWILIO_AUTH_TOKEN: SECRET })).toMatch(
      /^CAPD_TWILIO_AUTH_TOKEN is set but CAPD_SMS_PROVIDER/,
    )
    expect(refusal({ ...HTTP, CAPD_SMS_PROVIDER: 'nexmo' })).toBe(
      'CAPD_SMS_PROVIDER must be http or twilio, not "nexmo"',
    )
    expect(refusal({ ...TWILIO, CAPD_SMS_URL: 'https://x.example' })).toMatch(
      /^CAPD_SMS_URL is set but CAPD_SMS_PROVIDER is twilio/,
    )
    expect(refusal({ ...HTTP, CAPD_TWILIO_ACCOUNT_SID: ACCOUNT })).toMatch(
      /^CAPD_TWILIO_ACCOUNT_SID is set but CAPD_SMS_PROVIDER is http/,
    )
  })
})

describe('Twilio settings', () => {
  it('name each missing variable', () => {
    const without = (name: keyof typeof TWILIO) => refusal({ ...TWILIO, [name]: '' })
    expect(without('CAPD_TWILIO_ACCOUNT_SID')).toMatch(/^CAPD_TWILIO_ACCOUNT_SID is not set/)
    expect(without('CAPD_TWILIO_AUTH_TOKEN')).toMatch(/^CAPD_TWILIO_AUTH_TOKEN is not set/)
    expect(without('CAPD_TWILIO_FROM')).toMatch(
      /^CAPD_TWILIO_FROM is not set.*CAPD_TWILIO_MESSAGING_SERVICE_SID/,
    )
    const key = { ...TWILIO, CAPD_TWILIO_AUTH_TOKEN: '' }
    expect(refusal({ ...key, CAPD_TWILIO_API_KEY_SID: `SK${'1'.repeat(32)}` })).toMatch(
      /^CAPD_TWILIO_API_KEY_SECRET is not set/,
    )
    expect(refusal({ ...key, CAPD_TWILIO_API_KEY_SECRET: SECRET })).toMatch(
      /^CAPD_TWILIO_API_KEY_SID is not set/,
    )
  })

  it('refuse doubled credentials or senders, and malformed SIDs, numbers and URLs', () => {
    expect(refusal({ ...TWILIO, CAPD_TWILIO_API_KEY_SID: `SK${'1'.repeat(32)}` })).toMatch(/not both/)
    expect(refusal({ ...TWILIO, CAPD_TWILIO_MESSAGING_SERVICE_SID: `MG${'1'.repeat(32)}` })).toMatch(
      /not both/,
    )
    expect(refusal({ ...TWILIO, CAPD_TWILIO_ACCOUNT_SID: 'ACnope' })).toMatch(
      /^CAPD_TWILIO_ACCOUNT_SID must be/,
    )
    expect(refusal({ ...TWILIO, CAPD_TWILIO_ACCOUNT_SID: `SK${'1'.repeat(32)}` })).toMatch(
      /must be the Account SID/,
    )
    expect(
      refusal({
        ...TWILIO,
        CAPD_TWILIO_AUTH_TOKEN: '',
        CAPD_TWILIO_API_KEY_SID: ACCOUNT,
        CAPD_TWILIO_API_KEY_SECRET: SECRET,
      }),
    ).toMatch(/^CAPD_TWILIO_API_KEY_SID must be an API key SID/)
    expect(refusal({ ...TWILIO, CAPD_TWILIO_FROM: '', CAPD_TWILIO_MESSAGING_SERVICE_SID: 'MG1' })).toMatch(
      /^CAPD_TWILIO_MESSAGING_SERVICE_SID must be/,
    )
    for (const from of ['0712 345 678', '+0123456789', 'TooLongSenderId', '+2547-1234']) {
      expect(refusal({ ...TWILIO, CAPD_TWILIO_FROM: from })).toMatch(/^CAPD_TWILIO_FROM must be/)
    }
    expect(refusal({ ...TWILIO, CAPD_TWILIO_API_URL: 'api.twilio.com' })).toMatch(
      /^CAPD_TWILIO_API_URL must be a URL/,
    )
    expect(refusal({ ...TWILIO, CAPD_TWILIO_API_URL: 'ftp://x.example' })).toMatch(/http:\/\/ or https:\/\//)
  })

  it('take the sender forms Twilio takes, and a token from a file:// path', () => {
    for (const from of ['+254712345678', '22384', 'MYISP', 'My ISP 24'])
      expect(twilioConfig({ ...TWILIO, CAPD_TWILIO_FROM: from }).sender).toEqual({ From: from })
    const dir = mkdtempSync(join(tmpdir(), 'capd-sms-'))
    writeFileSync(join(dir, 'token'), `${SECRET}\n`)
    const config = twilioConfig({ ...TWILIO, CAPD_TWILIO_AUTH_TOKEN: pathToFileURL(join(dir, 'token')).href })
    expect(config).toMatchObject({ username: ACCOUNT, password: SECRET, apiUrl: 'https://api.twilio.com' })
    expect(refusal({ ...TWILIO, CAPD_TWILIO_AUTH_TOKEN: pathToFileURL(join(dir, 'gone')).href })).toMatch(
      /^CAPD_TWILIO_AUTH_TOKEN: cannot read .* ENOENT/,
    )
  })
})

describe('generic gateway settings', () => {
  const withHttp = (env: Record<string, string>) => ({ ...HTTP, ...env })

  it('need a URL and somewhere for the number and the text', () => {
    expect(refusal(withHttp({ CAPD_SMS_URL: '' }))).toMatch(/^CAPD_SMS_URL is not set/)
    expect(refusal(withHttp({ CAPD_SMS_BODY: 'text={{text}}' }))).toMatch(/has \{\{to\}\}: .*number/)
    expect(refusal(withHttp({ CAPD_SMS_BODY: 'to={{to}}' }))).toMatch(/has \{\{text\}\}: .*message/)
    expect(refusal(withHttp({ CAPD_SMS_URL: 'sms.example/send' }))).toMatch(/^CAPD_SMS_URL must be a URL/)
    expect(refusal(withHttp({ CAPD_SMS_URL: 'file:///tmp/{{to}}' }))).toMatch(/http:\/\/ or https:\/\//)
  })

  it('refuse unknown placeholders and a sender half given', () => {
    expect(refusal(withHttp({ CAPD_SMS_BODY: 'to={{to}}&text={{txt}}' }))).toBe(
      'CAPD_SMS_BODY has {{txt}}; the placeholders are {{to}}, {{text}}, {{from}}',
    )
    expect(refusal(withHttp({ CAPD_SMS_BODY: 'to={{to}}&text={{text}}&from={{from}}' }))).toMatch(
      /use \{\{from\}\} but CAPD_SMS_FROM is not set/,
    )
    expect(refusal(withHttp({ CAPD_SMS_FROM: 'ISP' }))).toMatch(/^CAPD_SMS_FROM is set but neither/)
  })

  it('check the method, the content type and that a JSON body stays JSON', () => {
    expect(refusal(withHttp({ CAPD_SMS_METHOD: 'PUT' }))).toBe('CAPD_SMS_METHOD must be GET or POST')
    expect(refusal(withHttp({ CAPD_SMS_METHOD: 'get' }))).toMatch(/GET, which sends no body/)
    expect(refusal(withHttp({ CAPD_SMS_CONTENT_TYPE: 'text/xml' }))).toMatch(/^CAPD_SMS_CONTENT_TYPE must be/)
    expect(
      refusal(
        withHttp({
          CAPD_SMS_URL: 'https://x.example/{{to}}/{{text}}',
          CAPD_SMS_BODY: '',
          CAPD_SMS_CONTENT_TYPE: 'application/json',
        }),
      ),
    ).toMatch(/there is no body/)
    // A placeholder outside quotes would break on the first text with a quote in it.
    expect(refusal(withHttp({ CAPD_SMS_BODY: '{"to":"{{to}}","text":{{text}}}' }))).toMatch(
      /^CAPD_SMS_BODY is not JSON once filled in/,
    )
    expect(
      httpGatewayConfig(withHttp({ CAPD_SMS_BODY: '{"to":"{{to}}","text":"{{ text }}"}' })).body,
    ).toEqual({
      template: '{"to":"{{to}}","text":"{{ text }}"}',
      contentType: 'application/json',
      encoding: 'json',
    })
    expect(
      httpGatewayConfig(
        withHttp({
          CAPD_SMS_BODY: '{"t":"{{to}} {{text}}"}',
          CAPD_SMS_CONTENT_TYPE: 'application/vnd.api+json',
        }),
      ).body?.encoding,
    ).toBe('json')
    expect(
      httpGatewayConfig({
        ...HTTP,
        CAPD_SMS_BODY: '',
        CAPD_SMS_URL: 'https://x.example/s?to={{to}}&m={{text}}',
      }).method,
    ).toBe('GET')
  })

  it('refuse an auth header that is not one "Name: value" line, without repeating it', () => {
    for (const line of [SECRET, `: ${SECRET}`, `Bad Name: ${SECRET}`, 'Authorization:   ']) {
      expect(refusal(withHttp({ CAPD_SMS_AUTH_HEADER: line }))).toMatch(
        /^CAPD_SMS_AUTH_HEADER must be one header line/,
      )
    }
    expect(httpGatewayConfig(withHttp({ CAPD_SMS_AUTH_HEADER: `X-Api-Key:${SECRET}` })).authHeader).toEqual({
      name: 'X-Api-Key',
      value: SECRET,
    })
  })

  it('refuse a success pattern that is not a regular expression', () => {
    expect(refusal(withHttp({ CAPD_SMS_SUCCESS_PATTERN: '"status":"(Success' }))).toMatch(
      /^CAPD_SMS_SUCCESS_PATTERN is not a regular expression/,
    )
  })
})
