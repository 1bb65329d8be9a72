/** States as words in badges (never colour alone): a subscriber's enforcement state, an invoice's status. */
import type { EnforcementState, Invoice } from '../store/entities.js'

export const StateBadge = ({ state }: { state: EnforcementState }) => (
  <span class={`badge ${state}`}>{state}</span>
)

export const InvoiceStatus = ({ invoice }: { invoice: Invoice }) => (
  <span class={`badge ${invoice.status === 'paid' ? 'paid' : 'invoice-open'}`}>{invoice.status}</span>
)
