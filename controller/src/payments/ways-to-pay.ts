/**
 * The ways a customer may pay, as the portal names them, and which of them this ISP offers now:
 * a provider that is configured, reachable for its callbacks, and (offline) has instructions.
 */
import { paymentInstructions } from '../domain/payment-instructions.js'
import { Refusal } from '../domain/refusal.js'
import type { Tx } from '../store/store.js'
import type { PaymentProvider, PaymentProviders, ProviderId } from './provider.js'

/** Ways to pay through a provider; `balance` is the account's own money and needs none. */
export const PROVIDER_WAYS = ['card', 'mpesa', 'offline'] as const
export type ProviderWay = (typeof PROVIDER_WAYS)[number]
export type PayWith = ProviderWay | 'balance'

const PROVIDER_OF: Readonly<Record<ProviderWay, ProviderId>> = {
  card: 'stripe',
  mpesa: 'mpesa',
  offline: 'offline',
}

/** What the controller's wiring gives the routes that take payments. */
export interface PaymentSetup {
  payments?: PaymentProviders | undefined
  /** Where customers and providers reach the controller (`--public-url`), if known. */
  publicUrl?: string | undefined
}

/** The provider for `way` if this ISP offers it now, else undefined. */
export async function offeredProvider(
  tx: Tx,
  setup: PaymentSetup,
  way: ProviderWay,
): Promise<PaymentProvider | undefined> {
  const provider = setup.payments?.get(PROVIDER_OF[way])
  if (!provider) return undefined
  // Behind NAT or a proxy the request's origin may not be reachable by the provider's servers.
  if (provider.needsPublicUrl && !setup.publicUrl) return undefined
  if (way === 'offline' && !(await paymentInstructions(tx))) return undefined
  return provider
}

/** The provider for `way`, or a refusal the customer can act on. */
export async function requireProvider(
  tx: Tx,
  setup: PaymentSetup,
  way: ProviderWay,
): Promise<PaymentProvider> {
  const provider = await offeredProvider(tx, setup, way)
  if (!provider) {
    throw new Refusal('payment_unavailable', 'That way to pay is not offered. Choose another one.')
  }
  return provider
}

/** The provider ways on offer now, in the order the portal lists them. */
export async function providerWaysOffered(
  tx: Tx,
  setup: PaymentSetup,
): Promise<{ way: ProviderWay; provider: PaymentProvider }[]> {
  const offered: { way: ProviderWay; provider: PaymentProvider }[] = []
  for (const way of PROVIDER_WAYS) {
    const provider = await offeredProvider(tx, setup, way)
    if (provider) offered.push({ way, provider })
  }
  return offered
}
