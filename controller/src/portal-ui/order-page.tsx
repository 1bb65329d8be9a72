/** A customer's order, live: waiting for payment (and how to pay), then applied, or failed with a way to retry. */
import type { Hono } from 'hono'
import { ApiError } from '../errors.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { Order } from '../store/entities.js'
import { money } from '../ui/format.js'
import { loadOrderPage, type OrderProgress } from './order-progress.js'
import { PortalPage } from './portal-layout.js'
import { type PortalPageKit, portalFrame } from './portal-page-auth.js'
import { TopUpStatusNotice } from './topup-status-notice.js'

/** The same answer for someone else's order as for one that never existed. */
const noSuchOrder = () => new ApiError(404, 'not_found', 'There is no such order on your account.')

export function orderPageRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { store, env } = kit.deps
  ui.get('/orders/:id', kit.page, async (c) => {
    const id = c.req.param('id')
    const data = await store.peek((tx) => loadOrderPage(tx, env, c.var.subscriberId, id, c.req.query('was')))
    if (!data) throw noSuchOrder()
    return c.html(
      <PortalPage title="Your order" {...portalFrame(c)} live>
        <h1>Your order</h1>
        <p>{`${data.order.item.description} — ${money(data.order.amount)}`}</p>
        <OrderNotice order={data.order} progress={data.progress} />
        <p>
          <a href="/portal">Back to your data</a>
        </p>
      </PortalPage>,
    )
  })
}

/** The live region: live.js swaps its inner HTML when the customer's account changes. */
function OrderNotice({ order, progress }: { order: Order; progress: OrderProgress }) {
  if (progress.kind === 'topup') {
    return (
      <TopUpStatusNotice
        status={progress.status}
        topUpBytes={progress.bytes}
        pendingTitle="Payment received — applying your top-up"
      />
    )
  }
  return (
    <div id="topup-status" data-live role="status">
      {progress.kind === 'waiting' ? (
        <Waiting order={order} progress={progress} />
      ) : progress.kind === 'balance_added' ? (
        <div class="notice ok">
          <p class="status-title">Payment received</p>
          <p>{`${money(order.amount)} was added to your balance.`}</p>
        </div>
      ) : (
        <div class="notice error">
          <p class="status-title">{progress.kind === 'failed' ? 'Payment failed' : 'Payment expired'}</p>
          <p>Nothing was charged for this order.</p>
          <p>
            <a class="button primary" href="/portal#buy-title">
              Try again
            </a>
          </p>
        </div>
      )}
    </div>
  )
}

function Waiting({
  order,
  progress,
}: {
  order: Order
  progress: Extract<OrderProgress, { kind: 'waiting' }>
}) {
  return (
    <div class="notice pending">
      <p class="status-title">Waiting for payment</p>
      {order.provider === 'offline' ? (
        <>
          {progress.proforma ? (
            <p>{`Pay ${money(order.amount)} and quote pro-forma ${progress.proforma.number}.`}</p>
          ) : null}
          {progress.instructions ? <p class="instructions">{progress.instructions}</p> : null}
          <p>Your top-up is applied as soon as your payment is recorded. This page updates by itself.</p>
        </>
      ) : order.provider === 'mpesa' ? (
        <p>Approve the payment request on your phone. This page updates by itself.</p>
      ) : (
        <>
          {order.checkoutUrl ? (
            <p>
              <a class="button primary" href={order.checkoutUrl}>
                Continue to payment
              </a>
            </p>
          ) : null}
          <p>This page updates by itself once the payment is confirmed.</p>
        </>
      )}
    </div>
  )
}
