/** Twilio's settings from the environment: the account, one credential, one sender; checked at start-up. */
import { envHttpUrl, envSecret, envValue } from './env-values.js'

export const TWILIO_ENV = {
  accountSid: 'CAPD_TWILIO_ACCOUNT_SID',
  authToken: 'CAPD_TWILIO_AUTH_TOKEN',
  apiKeySid: 'CAPD_TWILIO_API_KEY_SID',
  apiKeySecret: 'CAPD_TWILIO_API_KEY_SECRET',
  from: 'CAPD_TWILIO_FROM',
  messagingServiceSid: 'CAPD_TWILIO_MESSAGING_SERVICE_SID',
  apiUrl: 'CAPD_TWILIO_API_URL',
} as const

export const TWILIO_API_URL = 'https://api.twilio.com'

export interface TwilioConfig {
  /** `AC…`: whose Messages resource is posted to. */
  accountSid: string
  /** HTTP Basic credentials: the Account SID and Auth Token, or an API key's SID (`SK…`) and secret. */
  username: string
  password: string
  /** Exactly one: the number or sender id sent from, or the Messaging Service that picks one. */
  sender: { From: string } | { MessagingServiceSid: string }
  /** Twilio's API, or another base URL (a test server); no trailing slash. */
  apiUrl: string
}

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`)
/** E.164, a short code, or an alphanumeric sender id (up to 11 characters, one letter at least). */
const FROM = /^(\+[1-9][0-9]{6,14}|[0-9]{3,8}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/

/** The settings; an error naming the variable when one is missing, doubled or malformed (never its value). */
export function twilioConfig(env: NodeJS.ProcessEnv): TwilioConfig {
  const accountSid = required(env, TWILIO_ENV.accountSid, 'the Account SID (AC…)')
  if (!SID('AC').test(accountSid)) {
    throw new Error(`${TWILIO_ENV.accountSid} must be the Account SID: AC and 32 hex digits`)
  }
  return {
    accountSid,
    ...credentials(env, accountSid),
    sender: sender(env),
    apiUrl: envHttpUrl(TWILIO_ENV.apiUrl, envValue(env, TWILIO_ENV.apiUrl) ?? TWILIO_API_URL, TWILIO_API_URL),
  }
}

function credentials(env: NodeJS.ProcessEnv, accountSid: string): { username: string; password: string } {
  const token = envSecret(env, TWILIO_ENV.authToken)
  const keySid = envValue(env, TWILIO_ENV.apiKeySid)
  const keySecret = envSecret(env, TWILIO_ENV.apiKeySecret)
  if (token && (keySid || keySecret)) {
    throw new Error(
      `set ${TWILIO_ENV.authToken} or ${TWILIO_ENV.apiKeySid} and ${TWILIO_ENV.apiKeySecret}, not both`,
    )
  }
  if (token) return { username: accountSid, password: token }
  if (!keySid && !keySecret) {
    throw new Error(
      `${TWILIO_ENV.authToken} is not set: Twilio needs the Auth Token (or an API key: ${TWILIO_ENV.apiKeySid} and ${TWILIO_ENV.apiKeySecret})`,
    )
  }
  if (!keySid) throw new Error(`${TWILIO_ENV.apiKeySid} is not set: the API key secret needs its SID (SK…)`)
  if (!keySecret) throw new Error(`${TWILIO_ENV.apiKeySecret} is not set: the API key SID needs its secret`)
  if (!SID('SK').test(keySid)) {
    throw new Error(`${TWILIO_ENV.apiKeySid} must be an API key SID: SK and 32 hex digits`)
  }
  return { username: keySid, password: keySecret }
}

function sender(env: NodeJS.ProcessEnv): TwilioConfig['sender'] {
  const from = envValue(env, TWILIO_ENV.from)
  const service = envValue(env, TWILIO_ENV.messagingServiceSid)
  if (from && service) {
    throw new Error(
      `set ${TWILIO_ENV.from} or ${TWILIO_ENV.messagingServiceSid}, not both (the service picks the sender)`,
    )
  }
  if (service) {
    if (!SID('MG').test(service)) {
      throw new Error(
        `${TWILIO_ENV.messagingServiceSid} must be a Messaging Service SID: MG and 32 hex digits`,
      )
    }
    return { MessagingServiceSid: service }
  }
  if (!from) {
    throw new Error(
      `${TWILIO_ENV.from} is not set: Twilio needs the number to send from (or ${TWILIO_ENV.messagingServiceSid})`,
    )
  }
  if (!FROM.test(from)) {
    throw new Error(
      `${TWILIO_ENV.from} must be a number in E.164 form (+14155550100), a short code, or a sender id of up to 11 letters and digits`,
    )
  }
  return { From: from }
}

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = envValue(env, name)
  if (!value) throw new Error(`${name} is not set: CAPD_SMS_PROVIDER=twilio needs ${what}`)
  return value
}
