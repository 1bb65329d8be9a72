/** The Orders page: payments that do not match, orders waiting for payment (record one), recent failures, and the offline payment instructions. */
import type { Hono } from 'hono'
import { MAX_INSTRUCTIONS_CHARS } from '../domain/payment-instructions.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime, money } from '../ui/format.js'
import { ActionForm, Field, Select } from '../ui/forms.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { can, type Frame, frame, type OperatorKit } from './operator-kit.js'
import { orderActions } from './order-actions.js'
import { loadOrders, type OrderRow, type OrdersData } from './orders-data.js'

const PROVIDER_LABELS: Record<string, string> = {
  stripe: 'Card',
  mpesa: 'M-Pesa',
  offline: 'Office / bank transfer',
  balance: 'Balance',
}

export function ordersPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  ui.get('/orders', kit.page, async (c) => {
    const data = await store.transact((tx) => loadOrders(tx, env.clock.now()))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title="Orders" section="orders" live>
        <h1>Orders</h1>
        <OrderLists data={data} f={f} timeZone={env.timeZone} />
        <Instructions text={data.instructions} f={f} />
      </OperatorPage>,
    )
  })
  orderActions(ui, kit)
}

function OrderLists({ data, f, timeZone }: { data: OrdersData; f: Frame; timeZone: string }) {
  const common = [
    { header: 'Placed', cell: (r: OrderRow) => dateTime(r.order.createdAtMs, timeZone) },
    {
      header: 'Subscriber',
      cell: (r: OrderRow) => (
        <a href={`/subscribers/${encodeURIComponent(r.order.subscriberId)}`}>{r.subscriberName}</a>
      ),
    },
    { header: 'For', cell: (r: OrderRow) => r.order.item.description },
    { header: 'Amount', num: true, cell: (r: OrderRow) => money(r.order.amount) },
    { header: 'Way to pay', cell: (r: OrderRow) => PROVIDER_LABELS[r.order.provider] ?? r.order.provider },
  ]
  return (
    <div id="orders" data-live>
      {data.mismatches.length > 0 ? (
        <section class="notice error" aria-labelledby="mismatch-title">
          <h2 id="mismatch-title">{`Payments that do not match (${data.mismatches.length})`}</h2>
          <p>
            These were paid a different amount than ordered. Nothing was applied: settle each with the
            customer.
          </p>
          <DataTable
            rows={data.mismatches}
            labelledBy="mismatch-title"
            empty=""
            columns={[
              ...common,
              {
                header: 'Paid',
                num: true,
                cell: (r) => (r.order.mismatch ? money(r.order.mismatch.amount) : ''),
              },
              { header: 'Reference', cell: (r) => r.order.mismatch?.ref ?? '' },
            ]}
          />
        </section>
      ) : null}
      <section aria-labelledby="awaiting-title">
        <h2 id="awaiting-title">Awaiting payment</h2>
        <DataTable
          rows={data.awaiting}
          labelledBy="awaiting-title"
          empty="No order is waiting for payment."
          columns={[
            ...common,
            { header: 'Pro-forma', cell: (r) => r.proforma?.number ?? '' },
            {
              header: '',
              cell: (r) =>
                r.order.provider === 'offline' && can(f, 'billing') ? (
                  <RecordPayment row={r} csrf={f.csrf} />
                ) : null,
            },
          ]}
        />
      </section>
      <section aria-labelledby="failed-title">
        <h2 id="failed-title">Failed or expired (last 14 days)</h2>
        <DataTable
          rows={data.failed}
          labelledBy="failed-title"
          empty="No order failed or expired lately."
          columns={[
            ...common,
            { header: 'Status', cell: (r) => (r.order.status === 'expired' ? 'Expired' : 'Failed') },
            { header: 'Why', cell: (r) => r.order.closedReason ?? '' },
          ]}
        />
      </section>
    </div>
  )
}

function RecordPayment({ row, csrf }: { row: OrderRow; csrf: string }) {
  const id = row.order.id
  return (
    <details>
      <summary>Record payment</summary>
      <ActionForm
        action={`/orders/${encodeURIComponent(id)}/payments`}
        csrf={csrf}
        submit="Record payment"
        once
      >
        <Select
          id={`method-${id}`}
          name="method"
          label="Paid by"
          options={[
            { value: 'cash', label: 'Cash' },
            { value: 'bank_transfer', label: 'Bank transfer' },
            { value: 'other', label: 'Other' },
          ]}
        />
        <Field id={`reference-${id}`} name="reference" label="Receipt or transfer reference" required />
        <Field
          id={`amount-${id}`}
          name="amount"
          label="Amount received"
          inputmode="decimal"
          required
          hint={`Must be ${money(row.order.amount)}.`}
        />
      </ActionForm>
    </details>
  )
}

function Instructions({ text, f }: { text: string | undefined; f: Frame }) {
  return (
    <section aria-labelledby="instructions-title">
      <h2 id="instructions-title">How to pay at the office or by bank transfer</h2>
      <p class="hint">
        Shown to customers who choose to pay this way, with their pro-forma number. Empty: customers are not
        offered this way to pay.
      </p>
      {can(f, 'billing') ? (
        <ActionForm action="/settings/payment-instructions" csrf={f.csrf} submit="Save instructions">
          <label for="instructions">Instructions</label>
          <textarea id="instructions" name="instructions" rows={5} maxlength={MAX_INSTRUCTIONS_CHARS}>
            {text ?? ''}
          </textarea>
        </ActionForm>
      ) : (
        <p>{text ?? 'None set.'}</p>
      )}
    </section>
  )
}
