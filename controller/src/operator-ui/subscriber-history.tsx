/** The subscriber's money history: top-ups, invoices and balance movements, newest first. */
import type { Invoice, LedgerEntry, TopUp } from '../store/entities.js'
import { bytes, dateTime, money } from '../ui/format.js'
import { InvoiceStatus } from './state-badge.js'

const SOURCE: Record<TopUp['source'], string> = {
  operator: 'Operator',
  auto: 'Auto top-up',
  portal: 'Portal',
}
const CHARGE: Record<TopUp['chargeTo'], string> = { invoice: 'Invoice', balance: 'Account balance' }

export function TopUpTable({ topUps, timeZone }: { topUps: readonly TopUp[]; timeZone: string }) {
  if (topUps.length === 0) return <p class="empty">No top-ups yet.</p>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Added</th>
            <th scope="col" class="num">
              Data
            </th>
            <th scope="col" class="num">
              Price
            </th>
            <th scope="col">By</th>
            <th scope="col">Charged to</th>
            <th scope="col">Valid until</th>
          </tr>
        </thead>
        <tbody>
          {topUps.map((t) => (
            <tr>
              <td>{dateTime(t.createdAtMs, timeZone)}</td>
              <td class="num">{bytes(t.bytes)}</td>
              <td class="num">{money(t.price)}</td>
              <td>{SOURCE[t.source]}</td>
              <td>{CHARGE[t.chargeTo]}</td>
              <td>{dateTime(t.expiresAtMs, timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function InvoiceTable({ invoices, timeZone }: { invoices: readonly Invoice[]; timeZone: string }) {
  if (invoices.length === 0) return <p class="empty">No invoices yet.</p>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Issued</th>
            <th scope="col">Description</th>
            <th scope="col" class="num">
              Total
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {invoices.map((i) => (
            <tr>
              <td>{i.number}</td>
              <td>{dateTime(i.issuedAtMs, timeZone)}</td>
              <td>{i.lines.map((l) => l.description).join(', ')}</td>
              <td class="num">{money(i.total)}</td>
              <td>
                <InvoiceStatus invoice={i} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function LedgerTable({ ledger, timeZone }: { ledger: readonly LedgerEntry[]; timeZone: string }) {
  if (ledger.length === 0) return <p class="empty">No payments or charges yet.</p>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col" class="num">
              Balance after
            </th>
          </tr>
        </thead>
        <tbody>
          {ledger.map((e) => (
            <tr>
              <td>{dateTime(e.atMs, timeZone)}</td>
              <td>{e.kind === 'payment' ? 'Payment' : 'Top-up charge'}</td>
              <td class="num">{money(e.amount)}</td>
              <td class="num">{money(e.balanceAfter)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
