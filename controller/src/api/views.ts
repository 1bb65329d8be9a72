/** What the API shows of each record: ISO times, no secrets. */

import type { RuleProblem } from '@capd/protocol'
import type { allowanceJson } from '../domain/allowance-shown.js'
import { capActionOf } from '../domain/cap-terms.js'
import { amountDue, amountPaid } from '../domain/invoice-amounts.js'
import { kindOf } from '../domain/invoices.js'
import { grossOf } from '../domain/tax.js'
import type { UsageView } from '../domain/usage.js'
import {
  type Agent,
  type AuditEntry,
  DEFAULT_ALERT_CHOICES,
  DEFAULT_NOTIFY_AT_PERCENT,
  type Invoice,
  type LedgerEntry,
  type Payment,
  type Plan,
  type Subscriber,
  type TopUp,
  type TopUpPlan,
  type UsageAnomaly,
} from '../store/entities.js'
import { taxView } from './tax-schema.js'

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

export const planView = (p: Plan) => ({
  id: p.id,
  name: p.name,
  capBytes: p.capBytes,
  onCap: p.onCap,
  throttleKbps: p.throttleKbps,
  notifyAtPercent: p.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT,
  capAction: capActionOf(p),
  rateDownKbps: p.rateDownKbps ?? null,
  rateUpKbps: p.rateUpKbps ?? null,
  count: p.count ?? 'both',
  /** null = the ISP's default draw order. */
  drawOrder: p.drawOrder ?? null,
  rollover: p.rollover ?? null,
  freeHours: p.freeHours ?? [],
  createdAt: iso(p.createdAtMs),
  retiredAt: iso(p.retiredAtMs),
})

export const topUpPlanView = (p: TopUpPlan) => ({
  id: p.id,
  name: p.name,
  bytes: p.bytes,
  price: p.price,
  /** `{ratePercent, inclusive}` or null (untaxed). */
  tax: taxView(p.tax),
  /** What the customer pays: the price, plus the tax when it is not included. */
  grossPrice: grossOf(p.price, p.tax),
  validityDays: p.validityDays,
  createdAt: iso(p.createdAtMs),
  retiredAt: iso(p.retiredAtMs),
})

/** `heldBack`: the agent's subscribers the controller does not send it (see agent-capabilities.ts). */
export const agentView = (a: Agent, connected: boolean, heldBack: readonly RuleProblem[] = []) => ({
  id: a.id,
  name: a.name,
  connected,
  lastSeenAt: iso(a.lastSeenAtMs) ?? null,
  createdAt: iso(a.createdAtMs),
  revokedAt: iso(a.revokedAtMs),
  /**
   * Rules the agent skipped at its router (the rest are enforced): `{subscriberId, code, message}`,
   * then the subscribers held back from it because its version cannot take them (`agent_too_old`).
   */
  problems: [...(a.problems ?? []), ...heldBack],
  ...(a.problemsOmitted ? { problemsOmitted: a.problemsOmitted } : {}),
})

/** Usage an agent reported that was acked but not booked (see domain/usage-anomalies.ts). */
export const anomalyView = (a: UsageAnomaly) => ({
  subscriberId: a.subscriberId,
  reason: a.reason,
  entries: a.entries,
  bytes: a.bytes,
  firstAt: iso(a.firstAtMs),
  lastAt: iso(a.lastAtMs),
  lastEpoch: a.lastEpoch,
})

/** `allowance`: the period's buckets and what no bucket paid for (see allowance-shown.ts). */
export const subscriberView = (
  s: Subscriber,
  usage: UsageView,
  allowance: ReturnType<typeof allowanceJson>,
) => ({
  id: s.id,
  name: s.name,
  login: s.login,
  email: s.email,
  phone: s.phone,
  postalAddress: s.postalAddress,
  notes: s.notes,
  planId: s.planId,
  agentId: s.agentId,
  address: s.address,
  billingDay: s.billingDay,
  balance: s.balance,
  autoTopUp: s.autoTopUp ?? { enabled: false },
  /** The last auto top-up that was not bought, and why (cleared once one is bought or none is needed). */
  autoTopUpDeclined: s.autoTopUpDeclined && {
    reason: s.autoTopUpDeclined.reason,
    periodStart: iso(s.autoTopUpDeclined.periodStartMs),
    at: iso(s.autoTopUpDeclined.atMs),
    retryAt: iso(s.autoTopUpDeclined.retryAtMs),
  },
  /** The customer's own choices (set in the portal): how they hear about usage, and receipts. */
  alerts: s.alerts ?? DEFAULT_ALERT_CHOICES,
  state: s.state,
  usage,
  ...allowance,
  createdAt: iso(s.createdAtMs),
  suspension: s.suspension && { reason: s.suspension.reason, at: iso(s.suspension.atMs) },
  deletedAt: iso(s.deletedAtMs),
})

export const topUpView = (t: TopUp) => ({
  id: t.id,
  subscriberId: t.subscriberId,
  bytes: t.bytes,
  price: t.price,
  source: t.source,
  chargeTo: t.chargeTo,
  topUpPlanId: t.topUpPlanId,
  invoiceId: t.invoiceId,
  createdAt: iso(t.createdAtMs),
  expiresAt: iso(t.expiresAtMs),
  reversedAt: iso(t.reversedAtMs),
})

/** An invoice, pro-forma or credit note: per line net, tax rate and tax; totals; what is paid; its links. */
export const invoiceView = (i: Invoice) => ({
  id: i.id,
  kind: kindOf(i),
  number: i.number,
  subscriberId: i.subscriberId,
  topUpId: i.topUpId,
  orderId: i.orderId,
  issuedAt: iso(i.issuedAtMs),
  lines: i.lines.map((l) => ({
    description: l.description,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    net: l.net ?? l.amount,
    taxRatePercent: l.taxRule ? l.taxRule.rateBp / 100 : 0,
    taxInclusive: l.taxRule?.inclusive ?? false,
    tax: l.tax ?? { amount: 0, currency: l.amount.currency },
    amount: l.amount,
  })),
  net: i.net ?? i.total,
  tax: i.tax ?? { amount: 0, currency: i.total.currency },
  total: i.total,
  status: i.status,
  amountPaid: amountPaid(i),
  amountDue: amountDue(i),
  paidAt: iso(i.paidAtMs),
  paidWith: i.paidWith,
  proformaId: i.proformaId,
  invoiceId: i.invoiceId,
  creditNoteId: i.creditNoteId,
  voidedAt: iso(i.voidedAtMs),
  voidReason: i.voidReason,
})

export const paymentView = (p: Payment) => ({
  id: p.id,
  subscriberId: p.subscriberId,
  amount: p.amount,
  reference: p.reference,
  method: p.method,
  allocations: p.allocations ?? [],
  createdAt: iso(p.createdAtMs),
})

export const ledgerView = (l: LedgerEntry) => ({
  id: l.id,
  kind: l.kind,
  amount: l.amount,
  balanceAfter: l.balanceAfter,
  ref: l.ref,
  at: iso(l.atMs),
})

export const auditView = (a: AuditEntry) => ({
  id: a.id,
  at: iso(a.atMs),
  actor: a.actor,
  action: a.action,
  entity: a.entity,
  entityId: a.entityId,
  data: a.data,
})
