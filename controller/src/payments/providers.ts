/**
 * The payment providers this controller offers, built from its environment. A provider is one
 * module implementing PaymentProvider plus, when it needs settings, a config module read here.
 */
import { OfflineProvider } from './offline.js'
import type { PaymentProvider, PaymentProviders, ProviderId } from './provider.js'

/**
 * Every provider whose settings are present. The offline provider is always built: whether it is
 * offered depends on the ISP's payment instructions (domain/payment-instructions.ts), a setting
 * operators change in the UI, not at start-up.
 */
export function buildProviders(_env: NodeJS.ProcessEnv): PaymentProviders {
  const providers: PaymentProvider[] = [new OfflineProvider()]
  // One line per provider configured from the environment, e.g.:
  //   const stripe = stripeConfig(_env); if (stripe) providers.push(new StripeProvider(stripe))
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
