/** The payment providers this controller offers, built from its environment at start-up. */

import { mpesaConfigFromEnv } from './mpesa/mpesa-config.js'
import { MpesaProvider } from './mpesa/mpesa-provider.js'
import type { PaymentProvider, PaymentProviders, ProviderId } from './provider.js'

export interface ProvidersContext {
  /** The controller's currency (M-Pesa needs KES). */
  currency: string
  /** The URL customers and providers reach the controller at (M-Pesa calls back under it). */
  publicUrl?: string | undefined
}

/**
 * Every provider whose settings are given; throws (the controller then refuses to start) when a
 * provider's settings are half given or cannot work with this controller.
 */
export function configuredProviders(env: NodeJS.ProcessEnv, context: ProvidersContext): PaymentProviders {
  const providers = new Map<ProviderId, PaymentProvider>()
  const mpesa = mpesaConfigFromEnv(env, context)
  if (mpesa) providers.set('mpesa', new MpesaProvider(mpesa))
  return providers
}
