/**
 * The e-mail channel's settings, read from the environment at start-up: the SMTP relay's URL and
 * the From address, both or neither. The URL holds the relay's password, so nothing here ever
 * prints it: errors and logs show it through redactSmtpUrl.
 */
import { readFileSync } from 'node:fs'
import addressparser from 'nodemailer/lib/addressparser/index.js'

export const EMAIL_ENV = {
  smtpUrl: 'CAPD_SMTP_URL',
  mailFrom: 'CAPD_MAIL_FROM',
} as const

export interface EmailConfig {
  /**
   * `smtp://user:pass@host:587` (STARTTLS when the relay offers it) or `smtps://…:465` (TLS from
   * the start), with nodemailer's query options such as `?tls.rejectUnauthorized=false`.
   */
  smtpUrl: string
  /** The From header as given, e.g. `"Acme ISP" <noc@acme.example>`. */
  from: string
  /** The From address's domain: every Message-ID is `<delivery id@this>`. */
  fromDomain: string
}

/**
 * The e-mail config, or undefined when neither variable is set (no e-mail is sent). One without
 * the other, or either malformed, is a start-up error naming the variable: a controller that
 * queues e-mails it can never send would fill its outbox with failures nobody asked for.
 */
export function emailConfigFromEnv(env: NodeJS.ProcessEnv): EmailConfig | undefined {
  const rawUrl = env[EMAIL_ENV.smtpUrl]?.trim()
  const rawFrom = env[EMAIL_ENV.mailFrom]?.trim()
  if (!rawUrl && !rawFrom) return undefined
  if (!rawUrl) {
    throw new Error(
      `${EMAIL_ENV.smtpUrl} is not set: e-mail notifications need the SMTP relay (smtp://user:pass@host:587) as well as ${EMAIL_ENV.mailFrom}`,
    )
  }
  if (!rawFrom) {
    throw new Error(
      `${EMAIL_ENV.mailFrom} is not set: e-mail notifications need a sender such as "Acme ISP <noc@acme.example>" as well as ${EMAIL_ENV.smtpUrl}`,
    )
  }
  const smtpUrl = checkedSmtpUrl(urlValue(rawUrl))
  return { smtpUrl, ...checkedFrom(rawFrom) }
}

/**
 * What may be printed of the relay URL: scheme, user, host and port, the password as `***`. Not
 * the rest: a password with an unencoded `/`, `?` or `#` spills into the path, query or fragment.
 */
export function redactSmtpUrl(value: string): string {
  const url = parsed(value)
  if (!url?.hostname) return '(not shown)'
  const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : ''
  return `${url.protocol}//${user}${url.host}`
}

const NOT_SHOWN = '(the value is not shown: it may hold the password)'

function checkedSmtpUrl(value: string): string {
  const url = parsed(value)
  if (!url) {
    throw new Error(`${EMAIL_ENV.smtpUrl} must be a URL like smtp://user:pass@host:587 ${NOT_SHOWN}`)
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(
      `${EMAIL_ENV.smtpUrl} must be an smtp:// (STARTTLS when offered) or smtps:// (TLS) URL ${NOT_SHOWN}`,
    )
  }
  if (!url.hostname) throw new Error(`${EMAIL_ENV.smtpUrl} names no host ${NOT_SHOWN}`)
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new Error(
      `${EMAIL_ENV.smtpUrl} must not have a path (in a password, / ? # and @ must be percent-encoded): ${redactSmtpUrl(value)}`,
    )
  }
  return value
}

function parsed(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/** One address with a domain, the way it would stand in a From header. */
function checkedFrom(value: string): { from: string; fromDomain: string } {
  const example = 'such as "Acme ISP <noc@acme.example>"'
  const addresses = addressparser(value, { flatten: true })
  if (addresses.length !== 1) {
    throw new Error(`${EMAIL_ENV.mailFrom} must be one sender ${example}, not ${JSON.stringify(value)}`)
  }
  const address = addresses[0]!.address
  const match = /^[^\s@<>()",;]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$/.exec(address)
  if (!match) {
    throw new Error(
      `${EMAIL_ENV.mailFrom} must be an e-mail address ${example}, not ${JSON.stringify(value)}`,
    )
  }
  return { from: value, fromDomain: match[1]!.toLowerCase() }
}

/** The value, or the contents of the `file://` URL it names (keeps the password out of process lists). */
function urlValue(value: string): string {
  if (!value.startsWith('file://')) return value
  try {
    return readFileSync(new URL(value), 'utf8').trim()
  } catch (err) {
    throw new Error(
      `${EMAIL_ENV.smtpUrl}: cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    )
  }
}
