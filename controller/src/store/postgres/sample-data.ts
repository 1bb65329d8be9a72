/** A store document with rows in every table, for loading into PostgreSQL and dumping back (tests). */
import { type Data, emptyData } from '../data.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

export function sampleData(subscribers = 3): Data {
  const d = emptyData()
  d.settings.currency = { id: 'currency', value: 'USD', setAtMs: 1 }
  d.plans['plan-1'] = { id: 'plan-1', name: 'Basic', capBytes: 10_000, onCap: 'block', createdAtMs: 1 }
  d.topUpPlans['tpl-1'] = { id: 'tpl-1', name: '1 GB', bytes: 1e9, price: usd(500), createdAtMs: 1 }
  d.agents['agent-1'] = {
    id: 'agent-1',
    name: 'edge',
    tokenHash: 'ab'.repeat(32),
    createdAtMs: 1,
    epoch: 'e1',
  }
  for (let i = 0; i < subscribers; i++) {
    const id = `sub-${i}`
    d.subscribers[id] = {
      id,
      name: `Customer ${i} “ünïcode”`,
      login: `c${i}`,
      planId: 'plan-1',
      agentId: 'agent-1',
      // The second is known by its login (no address), as PPPoE and hotspot subscribers are.
      ...(i === 1 ? {} : { address: `10.1.0.${i + 1}` }),
      billingDay: i % 2 ? 'last' : 1,
      balance: usd(i * 100),
      createdAtMs: 1,
      usedBytes: 2 ** 40 + i,
      usagePeriodStartMs: 0,
      state: 'open',
      limitVersion: 2,
      dailyUsage: { periodStartMs: 0, bytes: [1, 2, 3] },
      ...(i === 2 ? { deletedAtMs: 9 } : {}),
    }
    d.topUps[`top-${i}`] = {
      id: `top-${i}`,
      subscriberId: id,
      bytes: 1e9,
      price: usd(500),
      source: 'operator',
      chargeTo: 'invoice',
      createdAtMs: 2,
      periodStartMs: 0,
      expiresAtMs: 99,
      invoiceId: `inv-${i}`,
      actor: 'system',
    }
    d.invoices[`inv-${i}`] = {
      id: `inv-${i}`,
      kind: 'invoice',
      number: `INV-2026-${String(i + 1).padStart(6, '0')}`,
      subscriberId: id,
      issuedAtMs: 2,
      lines: [{ description: '1 GB', quantity: 1, unitPrice: usd(500), amount: usd(500) }],
      total: usd(500),
      status: 'open',
    }
    d.ledger[`led-${i}`] = {
      id: `led-${i}`,
      subscriberId: id,
      atMs: 3,
      kind: 'payment',
      amount: usd(i * 100),
      balanceAfter: usd(i * 100),
      ref: `pay-${i}`,
    }
    d.payments[`pay-${i}`] = {
      id: `pay-${i}`,
      subscriberId: id,
      amount: usd(i * 100),
      createdAtMs: 3,
      actor: 'system',
    }
    d.usagePeriods[`${id}/2025-12-01T00:00:00.000Z`] = {
      id: `${id}/2025-12-01T00:00:00.000Z`,
      subscriberId: id,
      periodStartMs: 0,
      usedBytes: 5,
    }
    d.usageDays[`${id}/2026-01-02`] = {
      id: `${id}/2026-01-02`,
      subscriberId: id,
      day: '2026-01-02',
      down: 5,
      up: 6,
      hourDown: [0, 5],
      hourUp: [6],
    }
    d.usageMonths[`${id}/2025-11`] = {
      id: `${id}/2025-11`,
      subscriberId: id,
      month: '2025-11',
      down: [1],
      up: [2],
    }
    d.audit.push({
      id: `aud-${i}`,
      atMs: 10 + i,
      actor: 'system',
      action: 'topup.create',
      entity: 'subscriber',
      entityId: id,
      data: { n: i },
    })
  }
  d.sequences['invoice/2026'] = subscribers
  d.orders['ord-1'] = {
    id: 'ord-1',
    subscriberId: 'sub-0',
    provider: 'stripe',
    providerRef: 'cs_1',
    status: 'pending',
    createdAtMs: 4,
  } as never
  d.paymentEvents['stripe:evt_1'] = { id: 'stripe:evt_1', receivedAtMs: 5, outcome: 'paid' } as never
  d.notifications['usage_80/sub-0/0'] = {
    id: 'usage_80/sub-0/0',
    event: 'usage.threshold',
    subscriberId: 'sub-0',
    vars: { used: '8 kB' },
    data: { used: 8000 },
    createdAtMs: 6,
  }
  d.deliveries['dlv-1'] = {
    id: 'dlv-1',
    notificationId: 'usage_80/sub-0/0',
    event: 'usage.threshold',
    subscriberId: 'sub-0',
    channel: 'email',
    to: 'c0@example.net',
    status: 'queued',
    attempts: 0,
    nextAttemptAtMs: 6,
    giveUpAtMs: 600,
    createdAtMs: 6,
  }
  d.webhookEndpoints['wh-1'] = {
    id: 'wh-1',
    url: 'https://example.net/hook',
    secret: 's',
    events: [],
    enabled: true,
    createdAtMs: 1,
  }
  d.usageMarks['agent-1/e1'] = { id: 'agent-1/e1', agentId: 'agent-1', epoch: 'e1', seq: 42, updatedAtMs: 7 }
  d.usageAnomalies['agent-1/unknown_subscriber/sub-x'] = {
    id: 'agent-1/unknown_subscriber/sub-x',
    agentId: 'agent-1',
    subscriberId: 'sub-x',
    reason: 'unknown_subscriber',
    entries: 1,
    bytes: 10,
    firstAtMs: 7,
    lastAtMs: 7,
    lastEpoch: 'e1',
  }
  d.apiTokens['tok-1'] = {
    id: 'tok-1',
    name: 'bootstrap',
    role: 'admin',
    hash: 'cd'.repeat(32),
    createdAtMs: 1,
  }
  d.users['usr-1'] = { id: 'usr-1', username: 'admin', role: 'admin', passwordHash: 'x', createdAtMs: 1 }
  const session = { csrfToken: 'c', createdAtMs: 1, lastSeenAtMs: 1, expiresAtMs: 99 }
  d.portalSessions['ps-1'] = { id: 'ps-1', subscriberId: 'sub-0', ...session }
  d.operatorSessions['os-1'] = { id: 'os-1', userId: 'usr-1', ...session }
  d.idempotency['user:1|k2'] = {
    scope: 'user:1|k2',
    requestHash: 'h',
    status: 201,
    body: { a: [1] },
    createdAtMs: 1,
  }
  d.idempotency['user:1|k1'] = {
    scope: 'user:1|k1',
    requestHash: 'h',
    status: 200,
    body: null,
    createdAtMs: 2,
  }
  d.migrations = [{ from: 1, to: 2, atMs: 1, capdVersion: '0.0.0' }]
  return d
}
