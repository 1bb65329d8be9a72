/** The generic HTTP SMS gateway's settings from the environment, checked once at start-up. */
import { envSecret, envValue } from './env-values.js'
import { type Encoding, fillTemplate, placeholdersIn, type TemplateValues } from './template.js'

export const HTTP_SMS_ENV = {
  url: 'CAPD_SMS_URL',
  method: 'CAPD_SMS_METHOD',
  body: 'CAPD_SMS_BODY',
  contentType: 'CAPD_SMS_CONTENT_TYPE',
  authHeader: 'CAPD_SMS_AUTH_HEADER',
  from: 'CAPD_SMS_FROM',
  successPattern: 'CAPD_SMS_SUCCESS_PATTERN',
} as const

export interface HttpGatewayConfig {
  /** The URL template (values URL-encoded). */
  url: string
  method: 'GET' | 'POST'
  body?: { template: string; contentType: string; encoding: Exclude<Encoding, 'url'> }
  /** Sent as is with every request; a secret (never logged, never in an error). */
  authHeader?: { name: string; value: string }
  /** What `{{from}}` stands for: the sender id or number the gateway sends from. */
  from?: string
  /** When set, a 2xx answer counts as sent only if its body matches; its first group is the message's id. */
  successPattern?: RegExp
}

/** Values with everything an encoding must get right, to try the templates with at start-up. */
const SAMPLE: TemplateValues = {
  to: '+254700000000',
  text: 'a "quoted" \\ text\n& = + # % ? / é 😀',
  from: 'CAPD "sender"',
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

/** The settings; an error naming the variable when one is missing or cannot work. */
export function httpGatewayConfig(env: NodeJS.ProcessEnv): HttpGatewayConfig {
  const url = envValue(env, HTTP_SMS_ENV.url)
  if (!url) {
    throw new Error(
      `${HTTP_SMS_ENV.url} is not set: CAPD_SMS_PROVIDER=http needs the gateway's URL (it may use {{to}}, {{text}} and {{from}})`,
    )
  }
  const used = placeholdersIn(HTTP_SMS_ENV.url, url)
  checkUrl(url)
  const body = bodyConfig(env)
  if (body) for (const p of placeholdersIn(HTTP_SMS_ENV.body, body.template)) used.add(p)
  const method = methodOf(env, body !== undefined)
  for (const needed of ['to', 'text'] as const) {
    if (!used.has(needed)) {
      throw new Error(
        `neither ${HTTP_SMS_ENV.url} nor ${HTTP_SMS_ENV.body} has {{${needed}}}: the gateway would never get the ${needed === 'to' ? 'number' : 'message'}`,
      )
    }
  }
  const from = envValue(env, HTTP_SMS_ENV.from)
  if (used.has('from') && !from) {
    throw new Error(`the gateway's templates use {{from}} but ${HTTP_SMS_ENV.from} is not set`)
  }
  if (from && !used.has('from')) {
    throw new Error(
      `${HTTP_SMS_ENV.from} is set but neither ${HTTP_SMS_ENV.url} nor ${HTTP_SMS_ENV.body} has {{from}}`,
    )
  }
  const authHeader = authHeaderOf(env)
  const successPattern = patternOf(env)
  return {
    url,
    method,
    ...(body ? { body } : {}),
    ...(authHeader ? { authHeader } : {}),
    ...(from ? { from } : {}),
    ...(successPattern ? { successPattern } : {}),
  }
}

function checkUrl(template: string): void {
  let url: URL
  try {
    url = new URL(fillTemplate(template, SAMPLE, 'url'))
  } catch {
    throw new Error(
      `${HTTP_SMS_ENV.url} must be a URL such as https://sms.example/send?to={{to}}&text={{text}}`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${HTTP_SMS_ENV.url} must be an http:// or https:// URL`)
  }
}

function methodOf(env: NodeJS.ProcessEnv, hasBody: boolean): 'GET' | 'POST' {
  const given = envValue(env, HTTP_SMS_ENV.method)?.toUpperCase()
  if (given === undefined) return hasBody ? 'POST' : 'GET'
  if (given !== 'GET' && given !== 'POST') throw new Error(`${HTTP_SMS_ENV.method} must be GET or POST`)
  if (given === 'GET' && hasBody) {
    throw new Error(
      `${HTTP_SMS_ENV.method} is GET, which sends no body: unset ${HTTP_SMS_ENV.body} or use POST`,
    )
  }
  return given
}

function bodyConfig(env: NodeJS.ProcessEnv): HttpGatewayConfig['body'] {
  const template = envValue(env, HTTP_SMS_ENV.body)
  const given = envValue(env, HTTP_SMS_ENV.contentType)
  if (!template) {
    if (given)
      throw new Error(`${HTTP_SMS_ENV.contentType} is set but ${HTTP_SMS_ENV.body} is not: there is no body`)
    return undefined
  }
  const contentType =
    given ?? (/^[{[]/.test(template) ? 'application/json' : 'application/x-www-form-urlencoded')
  const encoding = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)
    ? 'form'
    : /^[^;]*[/+]json\s*(;|$)/i.test(contentType)
      ? 'json'
      : undefined
  if (!encoding) {
    throw new Error(
      `${HTTP_SMS_ENV.contentType} must be application/x-www-form-urlencoded or a JSON type (application/json, …+json)`,
    )
  }
  if (encoding === 'json') {
    try {
      JSON.parse(fillTemplate(template, SAMPLE, 'json'))
    } catch {
      throw new Error(
        `${HTTP_SMS_ENV.body} is not JSON once filled in: write it as JSON with each placeholder inside quotes, e.g. {"to":"{{to}}","message":"{{text}}"}`,
      )
    }
  }
  return { template, contentType, encoding }
}

/** `Name: value`, e.g. `Authorization: Bearer …` or `apiKey: …`; may be a `file://` path holding that line. */
function authHeaderOf(env: NodeJS.ProcessEnv): HttpGatewayConfig['authHeader'] {
  const line = envSecret(env, HTTP_SMS_ENV.authHeader)
  if (!line) return undefined
  const colon = line.indexOf(':')
  const name = line.slice(0, Math.max(colon, 0)).trim()
  const value = line.slice(colon + 1).trim()
  // The message never repeats the line: it holds the gateway's key.
  if (colon <= 0 || !HEADER_NAME.test(name) || !value || /[\r\n\0]/.test(value)) {
    throw new Error(
      `${HTTP_SMS_ENV.authHeader} must be one header line, "Name: value" (e.g. Authorization: Bearer …)`,
    )
  }
  return { name, value }
}

function patternOf(env: NodeJS.ProcessEnv): RegExp | undefined {
  const source = envValue(env, HTTP_SMS_ENV.successPattern)
  if (!source) return undefined
  try {
    return new RegExp(source)
  } catch (err) {
    throw new Error(`${HTTP_SMS_ENV.successPattern} is not a regular expression: ${(err as Error).message}`)
  }
}
