/** The subscriber's money history (live): top-ups, invoices and balance movements, newest first. */
import type { LedgerEntry, TopUp } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime, money } from '../ui/format.js'
import { InvoiceTable, invoiceColumns } from '../ui/invoice-table.js'
import { TopUpTable, topUpColumns } from '../ui/topup-table.js'
import { CHARGED_LABELS } from './charge-to.js'
import type { SubscriberPageData } from './subscriber-page-data.js'

const SOURCE: Record<TopUp['source'], string> = {
  operator: 'Operator',
  auto: 'Auto top-up',
  portal: 'Portal',
}

export function SubscriberHistory({ d, timeZone }: { d: SubscriberPageData; timeZone: string }) {
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
          ]}
        />
      </section>
      <section aria-labelledby="invoices-title">
        <h2 id="invoices-title">Invoices</h2>
        <InvoiceTable
          rows={d.invoices}
          columns={[inv.number, inv.issued, inv.description, inv.total, inv.status]}
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
        { header: 'What', cell: (e) => (e.kind === 'payment' ? 'Payment' : 'Top-up charge') },
        { header: 'Amount', num: true, cell: (e) => money(e.amount) },
        { header: 'Balance after', num: true, cell: (e) => money(e.balanceAfter) },
      ]}
    />
  )
}
