/** Building the channels from the environment: both e-mail settings or neither, clear errors, no password printed. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { memoryLogger } from '@capd/log'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { buildChannels } from './channels.js'
import { emailConfigFromEnv, redactSmtpUrl } from './email-config.js'

const PASSWORD = 'pw-Never-Printed-93kd'
const URL_OK = `smtp://mailer:${PASSWORD}@smtp.acme.example:587`
const FROM = '"Acme ISP" <noc@acme.example>'

function build(env: NodeJS.ProcessEnv) {
  const { logger, lines } = memoryLogger()
  try {
    const built = buildChannels(env, logger)
    for (const s of built.senders) s.close?.()
    return { built, lines, error: undefined }
  } catch (err) {
    return { built: undefined, lines, error: (err as Error).message }
  }
}

describe('buildChannels', () => {
  it('offers no channel when nothing is set', () => {
    const { built, lines } = build({})
    expect(built?.senders).toEqual([])
    expect([...built!.channels]).toEqual([])
    expect(lines).toEqual([])
  })

  it('offers e-mail when both settings are given, and logs the relay without its password', () => {
    const { built, lines } = build({ CAPD_SMTP_URL: URL_OK, CAPD_MAIL_FROM: FROM })
    expect(built!.senders.map((s) => s.channel)).toEqual(['email'])
    expect([...built!.channels]).toEqual(['email'])
    expect(lines.join('\n')).toContain('smtp://mailer:***@smtp.acme.example:587')
    expect(redactSmtpUrl(`smtps://mailer:${PASSWORD}@relay.example:465?tls.rejectUnauthorized=false`)).toBe(
      'smtps://mailer:***@relay.example:465',
    )
    expect(lines.join('\n')).not.toContain(PASSWORD)
  })

  it('offers SMS when Twilio is set, and not without SMS settings', () => {
    const twilio = {
      CAPD_SMS_PROVIDER: 'twilio',
      CAPD_TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
      CAPD_TWILIO_AUTH_TOKEN: PASSWORD,
      CAPD_TWILIO_FROM: '+15005550006',
    }
    const both = build({ ...twilio, CAPD_SMTP_URL: URL_OK, CAPD_MAIL_FROM: FROM })
    expect(both.error).toBeUndefined()
    expect(both.built!.senders.map((s) => s.channel).sort()).toEqual(['email', 'sms'])
    expect([...both.built!.channels].sort()).toEqual(['email', 'sms'])
    const smsOnly = build(twilio).built!
    expect(smsOnly.senders.map((s) => s.channel)).toEqual(['sms'])
    expect([...smsOnly.channels]).toEqual(['sms'])
    const emailOnly = build({ CAPD_SMTP_URL: URL_OK, CAPD_MAIL_FROM: FROM }).built!
    expect(emailOnly.senders.map((s) => s.channel)).not.toContain('sms')
    expect(emailOnly.channels.has('sms')).toBe(false)
  })

  it('refuses half a configuration, naming what is missing and never the password', () => {
    const urlOnly = build({ CAPD_SMTP_URL: URL_OK })
    expect(urlOnly.error).toMatch(/^CAPD_MAIL_FROM is not set: .*as well as CAPD_SMTP_URL/)
    expect(urlOnly.error).not.toContain(PASSWORD)
    const fromOnly = build({ CAPD_MAIL_FROM: FROM })
    expect(fromOnly.error).toMatch(/^CAPD_SMTP_URL is not set: .*as well as CAPD_MAIL_FROM/)
    // Blank counts as not set.
    expect(build({ CAPD_SMTP_URL: '  ', CAPD_MAIL_FROM: FROM }).error).toMatch(/^CAPD_SMTP_URL is not set/)
  })

  it.each([
    [`http://mailer:${PASSWORD}@smtp.acme.example`, /CAPD_SMTP_URL must be an smtp:\/\/ .* or smtps:\/\//],
    [`mailer:${PASSWORD}@smtp.acme.example:587`, /CAPD_SMTP_URL must be an smtp:\/\//],
    [`smtp://mailer:${PASSWORD}@smtp.acme.example:587/inbox`, /CAPD_SMTP_URL must not have a path/],
    [`smtp://mailer:${PASSWORD}/x@smtp.acme.example:587`, /CAPD_SMTP_URL must be a URL/],
    [`smtp://mailer:123/${PASSWORD}@smtp.acme.example:587`, /CAPD_SMTP_URL must not have a path/],
    [`smtp://:${PASSWORD}@`, /CAPD_SMTP_URL must be a URL|names no host/],
    [`smtp acme`, /CAPD_SMTP_URL must be a URL like smtp:\/\/user:pass@host:587/],
  ])('refuses the relay URL %s with an error naming the variable, without the password', (url, message) => {
    const { error } = build({ CAPD_SMTP_URL: url, CAPD_MAIL_FROM: FROM })
    expect(error).toMatch(message)
    expect(error).not.toContain(PASSWORD)
  })

  it.each([
    'noc',
    'Acme ISP',
    'noc@',
    '@acme.example',
    'a@acme.example, b@acme.example',
    'Acme <noc@acme example>',
  ])('refuses the sender %j, naming CAPD_MAIL_FROM', (from) => {
    expect(build({ CAPD_SMTP_URL: URL_OK, CAPD_MAIL_FROM: from }).error).toMatch(/^CAPD_MAIL_FROM must be/)
  })

  it('takes the Message-ID domain from the sender address', () => {
    for (const [from, domain] of [
      ['noc@acme.example', 'acme.example'],
      ['"Acme ISP" <NOC@Mail.Acme.Example>', 'mail.acme.example'],
      ['Acme ISP <alerts@isp-1.example.net>', 'isp-1.example.net'],
    ] as const) {
      expect(emailConfigFromEnv({ CAPD_SMTP_URL: URL_OK, CAPD_MAIL_FROM: from })).toMatchObject({
        from,
        fromDomain: domain,
      })
    }
  })

  it('reads the URL from a file:// path, so the password stays out of the process environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-smtp-'))
    try {
      const file = join(dir, 'smtp-url')
      await writeFile(file, `${URL_OK}\n`)
      const config = emailConfigFromEnv({ CAPD_SMTP_URL: pathToFileURL(file).href, CAPD_MAIL_FROM: FROM })
      expect(config?.smtpUrl).toBe(URL_OK)
      const missing = build({ CAPD_SMTP_URL: pathToFileURL(join(dir, 'nope')).href, CAPD_MAIL_FROM: FROM })
      expect(missing.error).toMatch(/^CAPD_SMTP_URL: cannot read file:.*ENOENT/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('redactSmtpUrl', () => {
  it('never shows a password, however it is written', () => {
    const random = seededRandom(11)
    const alphabet = 'abcXYZ019-_.~!$&\'()*+,;=%:@/?#[] "'
    for (let i = 0; i < 150; i++) {
      let password = ''
      for (let n = random.int(6, 24); n > 0; n--) password += alphabet[random.int(0, alphabet.length - 1)]
      const encoded = encodeURIComponent(password)
      for (const url of [
        `smtp://user:${encoded}@relay.example:587`,
        `smtps://user:${encoded}@relay.example:465?tls.rejectUnauthorized=false`,
        `smtp://user:${password}@relay.example:587`,
      ]) {
        const shown = redactSmtpUrl(url)
        expect(shown, url).not.toContain(encoded)
        expect(shown, url).not.toContain(password)
        // What the URL parser takes as the password (a raw one may end early at a / ? # or @).
        const parsed = safeUrl(url)?.password
        if (parsed) expect(shown, url).not.toContain(parsed)
        const error = build({ CAPD_SMTP_URL: url, CAPD_MAIL_FROM: FROM }).error ?? ''
        expect(error, url).not.toContain(encoded)
        expect(error, url).not.toContain(password)
      }
    }
  })
})

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}
