/**
 * The payment providers this controller offers, built from its environment. A provider is one
 * module implementing PaymentProvider plus, when it needs settings, a config module read here.
 */
import type { PaymentProvider, PaymentProviders, ProviderId } from './provider.js'
import { stripeConfig } from './stripe/stripe-config.js'
import { StripeProvider } from './stripe/stripe-provider.js'

/** Every provider whose settings are present; a half-configured one stops the start with its reason. */
export function buildProviders(env: NodeJS.ProcessEnv): PaymentProviders {
  const providers: PaymentProvider[] = []
  const stripe = stripeConfig(env)
  if (stripe) providers.push(new StripeProvider(stripe))
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
