/** M-Pesa as a way to pay: an STK Push to the customer's phone, confirmed only by Daraja's STK Query. */
import { formatMoney } from '@capd/protocol'
import { type Clock, systemClock } from '../../clock.js'
import { Refusal } from '../../domain/refusal.js'
import type { Order } from '../../store/entities.js'
import type { CheckoutRequest, CheckoutStarted, PaymentProvider, ProviderDeps } from '../provider.js'
import { mpesaCallbackRoutes } from './callback-routes.js'
import { DarajaClient } from './daraja-client.js'
import { DarajaError } from './daraja-wire.js'
import type { MpesaConfig } from './mpesa-config.js'
import { mpesaPhone } from './phone.js'
import { confirmStk } from './stk-confirm.js'
import { stkOutcome } from './stk-outcome.js'

export interface MpesaOptions {
  /** Stamps each request (Daraja checks the timestamp) and ages the cached token. */
  clock?: Clock
  fetch?: typeof fetch
}

export class MpesaProvider implements PaymentProvider {
  readonly id = 'mpesa' as const
  readonly label = 'M-Pesa'
  readonly payerField = { name: 'phone', label: 'M-Pesa phone number' } as const
  /** Daraja calls back to the controller's public URL. */
  readonly needsPublicUrl = true
  readonly #daraja: DarajaClient

  constructor(config: MpesaConfig, options: MpesaOptions = {}) {
    this.#daraja = new DarajaClient(config, options.clock ?? systemClock, options.fetch)
  }

  /** The phone in Daraja's form; a field refusal for anything else, before an order is placed. */
  checkPayer(typed: string | undefined): string {
    return mpesaPhone(typed)
  }

  async start({ order, subscriber, callbackUrl, payer }: CheckoutRequest): Promise<CheckoutStarted> {
    if (order.amount.currency !== 'KES') {
      throw new Refusal(
        'payment_unavailable',
        `M-Pesa takes Kenyan shillings only, not ${order.amount.currency}`,
      )
    }
    if (order.amount.amount % 100 !== 0) {
      throw new Refusal(
        'invalid_request',
        `M-Pesa takes whole shillings only, and ${formatMoney(order.amount)} has cents: pay another way or ask your provider to round the price`,
      )
    }
    const phone = mpesaPhone(payer)
    try {
      const checkoutRequestId = await this.#daraja.stkPush({
        amountKes: order.amount.amount / 100,
        phone,
        callbackUrl,
        accountReference: accountReference(subscriber.login, order),
        description: order.item.kind === 'topup' ? 'Data top-up' : 'Credit',
      })
      return { providerRef: checkoutRequestId }
    } catch (err) {
      const why = err instanceof DarajaError ? err.message : 'M-Pesa did not answer; try again in a minute'
      throw new Refusal('payment_failed', `M-Pesa could not send the request to your phone: ${why}`)
    }
  }

  /**
   * Asks Daraja how the order's push ended and acts on it (settle once, or fail); an order Daraja
   * cannot answer for yet, or whose callback named another amount, is left for later or the operator.
   */
  async check(order: Order, deps: ProviderDeps): Promise<void> {
    if (order.provider !== 'mpesa' || order.status !== 'awaiting_payment') return
    if (!order.providerRef || order.mismatch) return
    const outcome = stkOutcome(await this.#daraja.stkQuery(order.providerRef))
    await confirmStk(deps, { orderId: order.id, checkoutRequestId: order.providerRef, outcome })
  }

  webhooks(deps: ProviderDeps) {
    return mpesaCallbackRoutes(deps, this.#daraja)
  }
}

/** Shown on the customer's phone; Daraja takes at most 12 characters: the login, else the order's. */
function accountReference(login: string, order: Order): string {
  const clean = login.replace(/[^A-Za-z0-9]/g, '')
  return (clean || order.id.replace(/[^A-Za-z0-9]/g, '').slice(-12)).slice(0, 12)
}
