/**
 * The payment providers this controller offers, built from its environment. A provider is one
 * module implementing PaymentProvider plus, when it needs settings, a config module read here.
 */
import type { Logger } from '@capd/log'
import { mpesaConfigFromEnv } from './mpesa/mpesa-config.js'
import { MpesaProvider } from './mpesa/mpesa-provider.js'
import { OfflineProvider } from './offline.js'
import type { PaymentProvider, PaymentProviders, ProviderId } from './provider.js'
import { stripeConfig } from './stripe/stripe-config.js'
import { StripeProvider } from './stripe/stripe-provider.js'

/** What providers' settings are checked against. */
export interface ProvidersContext {
  /** The controller's currency (M-Pesa needs KES). */
  currency: string
  /** The URL customers and providers reach the controller at (M-Pesa calls back under it). */
  publicUrl?: string | undefined
}

/**
 * Every provider whose settings are present; throws (the controller then refuses to start) when a
 * provider's settings are half given or cannot work with this controller. The offline provider is
 * always built: whether it is offered depends on the ISP's payment instructions
 * (domain/payment-instructions.ts), a setting operators change in the UI, not at start-up.
 */
export function buildProviders(
  env: NodeJS.ProcessEnv,
  context: ProvidersContext,
  logger?: Logger,
): PaymentProviders {
  const providers: PaymentProvider[] = [new OfflineProvider()]
  // One line per provider configured from the environment.
  const stripe = stripeConfig(env)
  if (stripe) providers.push(new StripeProvider(stripe, logger ? { logger } : {}))
  const mpesa = mpesaConfigFromEnv(env, context)
  if (mpesa) providers.push(new MpesaProvider(mpesa))
  return providerMap(providers)
}

/** The providers by id; two with one id is a wiring mistake, refused at start-up. */
export function providerMap(providers: readonly PaymentProvider[]): PaymentProviders {
  const map = new Map<ProviderId, PaymentProvider>()
  for (const p of providers) {
    if (map.has(p.id)) throw new Error(`two payment providers with the id ${p.id}`)
    map.set(p.id, p)
  }
  return map
}
