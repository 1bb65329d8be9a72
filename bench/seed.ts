/**
 * Fills a store with `count` subscribers on one plan and one agent, each with one top-up and its
 * paid invoice from the previous billing period: a store with some history, seeded in one transaction
 * because going through the API would take minutes at 50k.
 */
import { billingPeriod } from '@capd/protocol'
import { newId } from '../controller/src/ids.js'
import type { Store } from '../controller/src/store/store.js'

const USD = 'USD'
const TIME_ZONE = 'UTC'

/** Returns the subscriber ids, for the load generator to pick from; subscriber i is on agent i % agents. */
export async function seedSubscribers(
  store: Store,
  count: number,
  nowMs: number,
  agents = 1,
): Promise<string[]> {
  const period = billingPeriod(nowMs, 1, TIME_ZONE)
  const previous = billingPeriod(period.startMs - 1, 1, TIME_ZONE)
  const price = { amount: 500, currency: USD }
  return store.transact(async (tx) => {
    const planId = newId('pln', nowMs)
    await tx.plans.insert({
      id: planId,
      name: 'Basic 100 GB',
      capBytes: 100e9,
      onCap: 'block',
      createdAtMs: nowMs,
    })
    const agentIds: string[] = []
    for (let a = 0; a < agents; a++) {
      const agentId = newId('agt', nowMs)
      await tx.agents.insert({
        id: agentId,
        name: `tower-${a + 1}`,
        tokenHash: a.toString(16).padStart(64, '0'),
        createdAtMs: nowMs,
      })
      agentIds.push(agentId)
    }
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const id = newId('sub', nowMs)
      await tx.subscribers.insert({
        id,
        name: `Subscriber ${i}`,
        login: `sub${i}`,
        planId,
        agentId: agentIds[i % agents]!,
        address: ipv4(i),
        billingDay: 1,
        balance: { amount: 0, currency: USD },
        createdAtMs: previous.startMs,
        usedBytes: 0,
        usagePeriodStartMs: period.startMs,
        state: 'open',
      })
      const topUpId = newId('top', nowMs)
      const invoiceId = newId('inv', nowMs)
      const boughtAtMs = previous.startMs + 86_400_000
      const year = new Date(boughtAtMs).getUTCFullYear()
      const number = await tx.nextSequence(`invoice/${year}`)
      await tx.invoices.insert({
        id: invoiceId,
        number: `INV-${year}-${String(number).padStart(6, '0')}`,
        subscriberId: id,
        issuedAtMs: boughtAtMs,
        lines: [{ description: 'Data top-up', quantity: 1, unitPrice: price, amount: price }],
        total: price,
        status: 'paid',
        paidAtMs: boughtAtMs,
        paidWith: 'card',
        topUpId,
      })
      await tx.topUps.insert({
        id: topUpId,
        subscriberId: id,
        bytes: 10e9,
        price,
        source: 'operator',
        chargeTo: 'invoice',
        createdAtMs: boughtAtMs,
        periodStartMs: previous.startMs,
        expiresAtMs: previous.endMs,
        invoiceId,
        actor: 'system',
      })
      ids.push(id)
    }
    return ids
  })
}

/** 10.0.0.1, 10.0.0.2, …: unique per subscriber up to 16M. */
function ipv4(i: number): string {
  const n = i + 1
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}
