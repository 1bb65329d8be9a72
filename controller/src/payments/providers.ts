/**
 * The payment providers this controller offers, built from its environment. A provider is one
 * module implementing PaymentProvider plus, when it needs settings, a config module read here.
 */
import type { Logger } from '@capd/log'
import { OfflineProvider } from './offline.js'
import type { PaymentProvider, PaymentProviders, ProviderId } from './provider.js'
import { stripeConfig } from './stripe/stripe-config.js'
import { StripeProvider } from './stripe/stripe-provider.js'

/**
 * Every provider whose settings are present; a half-configured one stops the start with its
 * reason. The offline provider is always built: whether it is offered depends on the ISP's payment
 * instructions (domain/payment-instructions.ts), a setting operators change in the UI, not at start-up.
 */
export function buildProviders(env: NodeJS.ProcessEnv, logger?: Logger): PaymentProviders {
  const providers: PaymentProvider[] = [new OfflineProvider()]
  const stripe = stripeConfig(env)
  if (stripe) providers.push(new StripeProvider(stripe, logger ? { logger } : {}))
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
