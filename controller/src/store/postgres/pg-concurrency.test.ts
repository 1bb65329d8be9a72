/**
 * Two PostgreSQL stores (two controllers) on one database, racing: what the ledger promises must
 * hold whatever the interleaving, through SERIALIZABLE retries and the database's own constraints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Invoice, Subscriber } from '../entities.js'
import type { Tx } from '../store.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()

const subscriber = (id: string, amount: number): Subscriber => ({
  id,
  name: id,
  login: id,
  planId: 'plan-1',
  agentId: 'agent-1',
  address: `10.9.${Number(id.replace(/\D/g, '')) % 250}.1`,
  billingDay: 1,
  balance: { amount, currency: 'USD' },
  createdAtMs: 1,
  usedBytes: 0,
  usagePeriodStartMs: 0,
  state: 'open',
})

const invoice = (n: number, subscriberId: string): Invoice => ({
  id: `inv-${String(n).padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`,
  kind: 'invoice',
  number: `INV-2026-${String(n).padStart(6, '0')}`,
  subscriberId,
  issuedAtMs: 1,
  lines: [],
  total: { amount: 0, currency: 'USD' },
  status: 'open',
})

describe.skipIf(skip)('two stores on one database', { timeout: 60_000 }, () => {
  let fixture: Awaited<ReturnType<typeof pgFixture>>
  let a: PgStore
  let b: PgStore
  beforeAll(async () => {
    fixture = await pgFixture()
    a = await fixture.open()
    b = await fixture.open()
  })
  afterAll(() => fixture?.end())

  it('apply one idempotency key once, however many requests race with it', async () => {
    const credit = (tx: Tx) => async () => {
      const scope = 'user:1|key-1'
      const seen = await tx.idempotency.get(scope)
      if (seen) return seen.body as { paymentId: string }
      const sub = (await tx.subscribers.get('sub-idem'))!
      const paymentId = `pay-${Math.random()}`
      await tx.payments.insert({
        id: paymentId,
        subscriberId: sub.id,
        amount: { amount: 100, currency: 'USD' },
        createdAtMs: 1,
        actor: 'user:1',
      })
      await tx.subscribers.update({ ...sub, balance: { amount: sub.balance.amount + 100, currency: 'USD' } })
      const body = { paymentId }
      await tx.idempotency.put({ scope, requestHash: 'h', status: 201, body, createdAtMs: 1 })
      return body
    }
    await a.transact((tx) => tx.subscribers.insert(subscriber('sub-idem', 0)))
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).transact((tx) => credit(tx)())),
    )
    expect(new Set(answers.map((x) => x.paymentId)).size).toBe(1)
    const payments = await a.peek((tx) => tx.payments.forSubscriber('sub-idem'))
    expect(payments).toHaveLength(1)
    expect((await b.peek((tx) => tx.subscribers.get('sub-idem')))!.balance.amount).toBe(100)
  })

  it('never take a balance below zero, and book every debit that succeeded exactly', async () => {
    const start = 1000
    await a.transact((tx) => tx.subscribers.insert(subscriber('sub-debit', start)))
    const amounts = Array.from({ length: 40 }, () => 1 + Math.floor(Math.random() * 80))
    const results = await Promise.allSettled(
      amounts.map((amount, i) =>
        (i % 2 ? a : b).transact(async (tx) => {
          const sub = (await tx.subscribers.get('sub-debit'))!
          if (sub.balance.amount < amount) throw new Error('insufficient_balance')
          const balance = { amount: sub.balance.amount - amount, currency: 'USD' }
          await tx.subscribers.update({ ...sub, balance })
          await tx.ledger.insert({
            id: `led-${i}`,
            subscriberId: sub.id,
            atMs: i,
            kind: 'topup_charge',
            amount: { amount: -amount, currency: 'USD' },
            balanceAfter: balance,
            ref: String(i),
          })
        }),
      ),
    )
    const debited = amounts.filter((_, i) => results[i]!.status === 'fulfilled')
    for (const r of results)
      if (r.status === 'rejected') expect(String(r.reason)).toMatch(/insufficient_balance/)
    const sub = (await a.peek((tx) => tx.subscribers.get('sub-debit')))!
    const total = debited.reduce((s, x) => s + x, 0)
    expect(sub.balance.amount).toBe(start - total)
    expect(sub.balance.amount).toBeGreaterThanOrEqual(0)
    expect((await b.peek((tx) => tx.ledger.forSubscriber('sub-debit'))).length).toBe(debited.length)
    // The 40 debits of up to 80 ask for more than there is: some must have been refused.
    if (amounts.reduce((s, x) => s + x, 0) > start) expect(debited.length).toBeLessThan(amounts.length)
  })

  it('refuse a negative balance in the database itself', async () => {
    await a.transact((tx) => tx.subscribers.insert(subscriber('sub-neg', 5)))
    await expect(
      b.transact(async (tx) => {
        const sub = (await tx.subscribers.get('sub-neg'))!
        await tx.subscribers.update({ ...sub, balance: { amount: -1, currency: 'USD' } })
      }),
    ).rejects.toThrow(/balance/)
    expect((await a.peek((tx) => tx.subscribers.get('sub-neg')))!.balance.amount).toBe(5)
  })

  it('number invoices without gaps while transactions roll back', async () => {
    await a.transact((tx) => tx.subscribers.insert(subscriber('sub-inv', 0)))
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).transact(async (tx) => {
          const n = await tx.nextSequence('invoice/2026')
          await tx.invoices.insert(invoice(n, 'sub-inv'))
          if (i % 3 === 0) throw new Error('rolled back')
          return n
        }),
      ),
    )
    const kept = results.filter((r) => r.status === 'fulfilled').length
    const numbers = (await a.peek((tx) => tx.invoices.forSubscriber('sub-inv'))).map((x) => x.number).sort()
    expect(numbers).toEqual(
      Array.from({ length: kept }, (_, i) => `INV-2026-${String(i + 1).padStart(6, '0')}`),
    )
    expect(kept).toBe(40 - 14)
    // A number past the next one is refused by the database itself, whichever store writes it.
    await expect(b.transact((tx) => tx.invoices.insert(invoice(kept + 2, 'sub-inv')))).rejects.toThrow(/gap/)
    // …and so is a number taken twice.
    await expect(b.transact((tx) => tx.invoices.insert(invoice(kept, 'sub-inv')))).rejects.toThrow(/unique/)
  })

  it('refuse a usage mark of the same agent and epoch under another id', async () => {
    const mark = { id: 'agent-1/e1', agentId: 'agent-1', epoch: 'e1', seq: 5, updatedAtMs: 1 }
    await a.transact((tx) => tx.usageMarks.insert(mark))
    await expect(b.transact((tx) => tx.usageMarks.insert({ ...mark, id: 'other' }))).rejects.toThrow(/unique/)
  })

  it('refuse a second subscriber with the same login in another case', async () => {
    await a.transact((tx) => tx.subscribers.insert({ ...subscriber('sub-login1', 0), login: 'Same' }))
    await expect(
      b.transact((tx) => tx.subscribers.insert({ ...subscriber('sub-login2', 0), login: 'sAME' })),
    ).rejects.toThrow(/unique/)
  })
})
