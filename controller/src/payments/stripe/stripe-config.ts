/** Stripe's settings, read from the environment at start-up: both secrets or neither, and where its API is. */
import { readFileSync } from 'node:fs'

export interface StripeApi {
  protocol: 'http' | 'https'
  host: string
  port: number
}

export interface StripeConfig {
  /** `sk_…` (or a restricted `rk_…`): creates Checkout Sessions. */
  secretKey: string
  /** `whsec_…`: what Stripe signs its webhook deliveries with. */
  webhookSecret: string
  /** Another place to reach Stripe's API (a test server); Stripe's own when absent. */
  api?: StripeApi
}

export const STRIPE_ENV = {
  secretKey: 'CAPD_STRIPE_SECRET_KEY',
  webhookSecret: 'CAPD_STRIPE_WEBHOOK_SECRET',
  apiUrl: 'CAPD_STRIPE_API_URL',
} as const

/**
 * The Stripe config, or undefined when neither secret is set (cards are not offered). One secret
 * without the other, a key of the wrong kind or a bad URL is a start-up error naming the variable:
 * a controller that offers cards it cannot confirm would take customers' money and apply nothing.
 */
export function stripeConfig(env: NodeJS.ProcessEnv): StripeConfig | undefined {
  const key = env[STRIPE_ENV.secretKey]
  const webhook = env[STRIPE_ENV.webhookSecret]
  if (!key && !webhook) return undefined
  if (!key || !webhook) {
    const [missing, present] = key
      ? [STRIPE_ENV.webhookSecret, STRIPE_ENV.secretKey]
      : [STRIPE_ENV.secretKey, STRIPE_ENV.webhookSecret]
    throw new Error(`${missing} is not set: card payments need it as well as ${present}`)
  }
  const secretKey = secret(key, STRIPE_ENV.secretKey)
  const webhookSecret = secret(webhook, STRIPE_ENV.webhookSecret)
  if (!/^(sk|rk)_\S+$/.test(secretKey)) {
    throw new Error(
      `${STRIPE_ENV.secretKey} must be a Stripe secret key (sk_… or rk_…), not a publishable one`,
    )
  }
  if (!/^whsec_\S+$/.test(webhookSecret)) {
    throw new Error(`${STRIPE_ENV.webhookSecret} must be the webhook endpoint's signing secret (whsec_…)`)
  }
  const apiUrl = env[STRIPE_ENV.apiUrl]
  return { secretKey, webhookSecret, ...(apiUrl ? { api: stripeApi(apiUrl) } : {}) }
}

/** The base URL split the way the stripe package takes it; it cannot take a path, so none is allowed. */
export function stripeApi(value: string): StripeApi {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(
      `${STRIPE_ENV.apiUrl} must be a URL like https://api.stripe.com, not ${JSON.stringify(value)}`,
    )
  }
  const protocol = url.protocol.slice(0, -1)
  if (protocol !== 'http' && protocol !== 'https') {
    throw new Error(`${STRIPE_ENV.apiUrl} must be an http:// or https:// URL`)
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new Error(`${STRIPE_ENV.apiUrl} must be a bare origin such as https://api.stripe.com (no path)`)
  }
  const port = url.port ? Number(url.port) : protocol === 'https' ? 443 : 80
  return { protocol, host: url.hostname, port }
}

/** An inline secret, or the contents of the `file://` URL it names (keeps it out of process lists). */
function secret(value: string, name: string): string {
  if (!value.startsWith('file://')) return value.trim()
  try {
    return readFileSync(new URL(value), 'utf8').trim()
  } catch (err) {
    throw new Error(`${name}: cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`)
  }
}
