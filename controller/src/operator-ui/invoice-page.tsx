/** One invoice, pro-forma or credit note for the operator: lines with tax, totals, payments, links and its actions. */
import type { Child } from 'hono/jsx'
import { amountDue, amountPaid } from '../domain/invoice-amounts.js'
import { kindOf } from '../domain/invoices.js'
import { ratePercent } from '../domain/tax.js'
import type { Invoice, InvoiceLine, Payment } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { dateTime, money } from '../ui/format.js'
import { InvoiceStatus } from '../ui/invoice-table.js'
import { InvoiceActions } from './invoice-forms.js'
import type { InvoicePageData } from './invoice-page-data.js'

export const KIND_LABELS = {
  invoice: 'Invoice',
  proforma: 'Pro-forma invoice',
  credit_note: 'Credit note',
} as const

export const invoicePath = (i: Pick<Invoice, 'id'>) => `/invoices/${encodeURIComponent(i.id)}`

export function InvoicePageBody(p: {
  d: InvoicePageData
  timeZone: string
  csrf: string
  mayBill: boolean
  currency: string
}) {
  const { invoice, subscriber } = p.d
  const zero = { amount: 0, currency: invoice.total.currency }
  return (
    <>
      <h1>
        {KIND_LABELS[kindOf(invoice)]} {invoice.number}
      </h1>
      <dl class="facts">
        <Fact term="Status">
          <InvoiceStatus invoice={invoice} />
        </Fact>
        <Fact term="Issued">{dateTime(invoice.issuedAtMs, p.timeZone)}</Fact>
        <Fact term="Subscriber">
          <a href={`/subscribers/${encodeURIComponent(invoice.subscriberId)}`}>
            {subscriber?.name ?? invoice.subscriberId}
          </a>
        </Fact>
        {invoice.voidedAtMs !== undefined ? (
          <Fact term="Voided">{`${dateTime(invoice.voidedAtMs, p.timeZone)}: ${invoice.voidReason ?? ''}`}</Fact>
        ) : null}
        <Links d={p.d} />
      </dl>

      <section aria-labelledby="lines-title">
        <h2 id="lines-title">Lines</h2>
        <DataTable<InvoiceLine>
          labelledBy="lines-title"
          rows={invoice.lines}
          empty="No lines."
          columns={[
            { header: 'Description', cell: (l) => l.description },
            { header: 'Net', num: true, cell: (l) => money(l.net ?? l.amount) },
            { header: 'Tax rate', num: true, cell: (l) => (l.taxRule ? ratePercent(l.taxRule) : '0%') },
            { header: 'Tax', num: true, cell: (l) => money(l.tax ?? zero) },
            { header: 'Amount', num: true, cell: (l) => money(l.amount) },
          ]}
        />
        <dl class="facts totals" id="invoice-totals">
          <Fact term="Net">{money(invoice.net ?? invoice.total)}</Fact>
          <Fact term="Tax">{money(invoice.tax ?? zero)}</Fact>
          <Fact term="Total">{money(invoice.total)}</Fact>
          {kindOf(invoice) === 'invoice' ? (
            <>
              <Fact term="Paid">{money(amountPaid(invoice))}</Fact>
              <Fact term="Due">{money(amountDue(invoice))}</Fact>
            </>
          ) : null}
        </dl>
      </section>

      {kindOf(invoice) === 'invoice' ? (
        <section aria-labelledby="payments-title">
          <h2 id="payments-title">Payments</h2>
          <DataTable<Payment>
            labelledBy="payments-title"
            rows={p.d.payments}
            empty="No payments allocated to this invoice."
            columns={[
              { header: 'Received', cell: (x) => dateTime(x.createdAtMs, p.timeZone) },
              { header: 'Method', cell: (x) => x.method ?? 'other' },
              { header: 'Reference', cell: (x) => x.reference ?? '' },
              {
                header: 'Allocated',
                num: true,
                cell: (x) =>
                  money(x.allocations?.find((a) => a.invoiceId === invoice.id)?.amount ?? x.amount),
              },
            ]}
          />
        </section>
      ) : null}

      {/* The actions area: payment, pay from balance, void. The PDF download link belongs here too (brand-pdf). */}
      <div id="invoice-actions" class="actions">
        {p.mayBill ? <InvoiceActions d={p.d} csrf={p.csrf} currency={p.currency} /> : null}
      </div>
    </>
  )
}

function Links({ d }: { d: InvoicePageData }) {
  const { proforma, invoice, creditNote } = d.linked
  const link = (doc: Invoice) => <a href={invoicePath(doc)}>{doc.number}</a>
  const kind = kindOf(d.invoice)
  return (
    <>
      {proforma ? <Fact term="Pro-forma">{link(proforma)}</Fact> : null}
      {invoice ? (
        <Fact term={kind === 'credit_note' ? 'Credits invoice' : 'Invoice'}>{link(invoice)}</Fact>
      ) : null}
      {creditNote ? <Fact term="Credit note">{link(creditNote)}</Fact> : null}
    </>
  )
}

const Fact = ({ term, children }: { term: string; children?: Child }) => (
  <>
    <dt>{term}</dt>
    <dd>{children}</dd>
  </>
)
