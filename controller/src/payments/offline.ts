/**
 * Paying at the ISP's office or by bank transfer: the order waits as an unpaid pro-forma, which
 * the customer pays as the ISP's instructions say; an operator then records the payment against
 * it (api/order-routes.ts, operator-ui/order-actions.ts), which settles the order.
 */
import type { CheckoutStarted, PaymentProvider } from './provider.js'

export class OfflineProvider implements PaymentProvider {
  readonly id = 'offline' as const
  readonly label = 'At the office or by bank transfer'
  readonly restartable = true

  /** Nothing to ask anyone: the pro-forma placeOrder issued is the request to pay. */
  async start(): Promise<CheckoutStarted> {
    return {}
  }
}
