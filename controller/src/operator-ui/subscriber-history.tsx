/** The subscriber's money history (live): top-ups, invoices and balance movements, newest first. */
import type { LedgerEntry, TopUp } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime, money } from '../ui/format.js'
import { ActionForm } from '../ui/forms.js'
import { InvoiceTable, invoiceColumns, pdfColumn } from '../ui/invoice-table.js'
import { TopUpTable, topUpColumns } from '../ui/topup-table.js'
import { CHARGED_LABELS } from './charge-to.js'
import type { SubscriberPageData } from './subscriber-page-data.js'

const SOURCE: Record<TopUp['source'], string> = {
  operator: 'Operator',
  auto: 'Auto top-up',
  portal: 'Portal',
}

const LEDGER_KINDS: Record<LedgerEntry['kind'], string> = {
  payment: 'Payment',
  topup_charge: 'Top-up charge',
  refund: 'Refund (credit note)',
  invoice_payment: 'Invoice paid from balance',
}

export function SubscriberHistory({
  d,
  timeZone,
  reverseCsrf,
}: {
  d: SubscriberPageData
  timeZone: string
  /** Given to those who may reverse a top-up (billing): each of this period's top-ups gets a Reverse form. */
  reverseCsrf?: string | undefined
}) {
  const top = topUpColumns(timeZone)
  const inv = invoiceColumns(timeZone)
  return (
    <div id="billing" data-live>
      <section aria-labelledby="topups-title">
        <h2 id="topups-title">Top-ups</h2>
        <TopUpTable
          rows={d.topUps}
          columns={[
            top.added,
            top.data,
            top.price,
            { header: 'By', cell: (row) => SOURCE[row.source] },
            { header: 'Charged to', cell: (row) => CHARGED_LABELS[row.chargeTo] },
            top.validUntil,
            {
              header: 'Reverse',
              cell: (row) =>
                row.reversedAtMs !== undefined ? (
                  `Reversed ${dateTime(row.reversedAtMs, timeZone)}`
                ) : reverseCsrf && row.periodStartMs === d.period.startMs ? (
                  <ReverseForm topUp={row} csrf={reverseCsrf} timeZone={timeZone} />
                ) : (
                  ''
                ),
            },
          ]}
        />
      </section>
      <section aria-labelledby="invoices-title">
        <h2 id="invoices-title">Invoices</h2>
        <InvoiceTable
          rows={d.invoices}
          columns={[
            {
              header: 'Number',
              cell: (i) => <a href={`/invoices/${encodeURIComponent(i.id)}`}>{i.number}</a>,
            },
            inv.issued,
            inv.description,
            inv.total,
            inv.status,
            pdfColumn('/invoices'),
          ]}
        />
      </section>
      <section aria-labelledby="ledger-title">
        <h2 id="ledger-title">Balance movements</h2>
        <LedgerTable ledger={d.ledger} timeZone={timeZone} />
      </section>
    </div>
  )
}

function LedgerTable({ ledger, timeZone }: { ledger: readonly LedgerEntry[]; timeZone: string }) {
  return (
    <DataTable
      rows={ledger}
      empty="No payments or charges yet."
      columns={[
        { header: 'When', cell: (e) => dateTime(e.atMs, timeZone) },
        { header: 'What', cell: (e) => LEDGER_KINDS[e.kind] },
        { header: 'Amount', num: true, cell: (e) => money(e.amount) },
        { header: 'Balance after', num: true, cell: (e) => money(e.balanceAfter) },
      ]}
    />
  )
}

/** A mistaken top-up, taken back: credit note for its invoice, its data removed (the agent gets the lower limit). */
function ReverseForm({ topUp, csrf, timeZone }: { topUp: TopUp; csrf: string; timeZone: string }) {
  const id = `reverse-${topUp.id}-reason`
  return (
    <ActionForm
      action={`/topups/${encodeURIComponent(topUp.id)}/reverse`}
      csrf={csrf}
      submit="Reverse"
      submitLabel={`Reverse the top-up of ${dateTime(topUp.createdAtMs, timeZone)}`}
      kind="danger"
      class="inline"
      once
    >
      <label for={id}>Reason</label>
      <input id={id} name="reason" required maxlength={500} />
    </ActionForm>
  )
}
