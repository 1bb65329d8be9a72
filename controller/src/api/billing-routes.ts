/** Money around a subscriber: top-ups, auto top-up settings, payments, invoices and the ledger. */
import { runAutoTopUp, setAutoTopUp } from '../domain/auto-topup.js'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { recordPayment } from '../domain/payments.js'
import { notFound } from '../domain/refusal.js'
import { createTopUp } from '../domain/topups.js'
import { logOf } from '../http/request-log.js'
import type { Tx } from '../store/store.js'
import type { ApiDeps } from './app-env.js'
import { respondOnce, topUpAnswer } from './idempotent-route.js'
import type { DocumentedRouter } from './router.js'
import { CreatePayment, CreateTopUp, SetAutoTopUp, topUpSchemaFor } from './schemas.js'
import { loadSubscriberView } from './subscriber-view.js'
import { idParam, parseInput, readBody, readJson } from './validate.js'
import { invoiceView, ledgerView, paymentView, topUpView } from './views.js'

export function billingRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  const { store, env } = deps

  r.add(
    {
      method: 'post',
      path: '/subscribers/:id/topups',
      summary: 'Top up a subscriber: {bytes, price} or {topUpPlanId}; charged to an invoice or the balance',
      body: CreateTopUp,
      status: 201,
      idempotent: true,
    },
    async (c) => {
      const id = idParam(c)
      const body = await readBody(c)
      const input = parseInput(topUpSchemaFor(body), body)
      const response = await respondOnce(c, deps, input, async (tx) =>
        topUpAnswer(tx, env, await createTopUp(tx, env, c.var.actor, 'operator', id, input)),
      )
      return response
    },
  )

  r.add(
    { method: 'get', path: '/subscribers/:id/topups', summary: "List a subscriber's top-ups", status: 200 },
    async (c) => {
      const items = await forSubscriber(idParam(c), (tx, id) => tx.topUps.forSubscriber(id))
      return c.json({ items: items.map(topUpView) })
    },
  )

  r.add(
    {
      method: 'put',
      path: '/subscribers/:id/auto-topup',
      summary:
        'Set auto top-up: which top-up plan, when (remaining bytes or a share of the last top-up), at most ' +
        'how many and how much per billing period, how far apart, charged to the balance or the next invoice',
      body: SetAutoTopUp,
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const input = await readJson(c, SetAutoTopUp)
      const view = await store.transact(async (tx) => {
        await setAutoTopUp(tx, env, c.var.actor, id, input)
        // Enabled for someone already at the threshold: the rule applies now, not at the next report.
        await runAutoTopUp(tx, env, id)
        return loadSubscriberView(tx, env, (await tx.subscribers.get(id))!)
      })
      return c.json(view)
    },
  )

  r.add(
    {
      method: 'post',
      path: '/subscribers/:id/payments',
      summary: "Credit a payment to the subscriber's account balance",
      body: CreatePayment,
      status: 201,
      idempotent: true,
    },
    async (c) => {
      const id = idParam(c)
      const input = await readJson(c, CreatePayment)
      const response = await respondOnce(c, deps, input, async (tx) => {
        const { payment, subscriber } = await recordPayment(tx, env, c.var.actor, id, input)
        return { status: 201, body: { payment: paymentView(payment), balance: subscriber.balance } }
      })
      // Money arrived: an auto top-up declined for want of it may go ahead now. Its own transaction,
      // so the answer is about the payment alone; awaited, so a read after the answer sees it.
      try {
        await autoTopUpPass(store, env, [id])
      } catch (err) {
        logOf(c).error({ err, subscriberId: id }, 'auto top-up after a payment failed')
      }
      return response
    },
  )

  r.add(
    {
      method: 'get',
      path: '/subscribers/:id/invoices',
      summary: "List a subscriber's invoices",
      status: 200,
    },
    async (c) => {
      const items = await forSubscriber(idParam(c), (tx, id) => tx.invoices.forSubscriber(id))
      return c.json({ items: items.map(invoiceView) })
    },
  )

  r.add(
    {
      method: 'get',
      path: '/subscribers/:id/ledger',
      summary: "The subscriber's balance movements (payments in, charges out)",
      status: 200,
    },
    async (c) => {
      const items = await forSubscriber(idParam(c), (tx, id) => tx.ledger.forSubscriber(id))
      return c.json({ items: items.map(ledgerView) })
    },
  )

  r.add({ method: 'get', path: '/invoices/:id', summary: 'Read an invoice', status: 200 }, async (c) => {
    const id = idParam(c)
    const invoice = await store.transact((tx) => tx.invoices.get(id))
    if (!invoice) throw notFound('invoice', id)
    return c.json(invoiceView(invoice))
  })

  /** Rows of one subscriber; 404 if the subscriber does not exist (an empty list would hide a typo). */
  async function forSubscriber<T>(id: string, rows: (tx: Tx, id: string) => Promise<T[]>): Promise<T[]> {
    const found = await store.transact<T[] | undefined>(async (tx) =>
      (await tx.subscribers.get(id)) ? rows(tx, id) : undefined,
    )
    if (!found) throw notFound('subscriber', id)
    return found
  }
}
