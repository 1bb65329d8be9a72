import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { invoiceKit, usd } from './invoice-test-kit.js'

describe('payments, balance payments and voids racing on the same invoices', () => {
  it('never apply money twice nor to a void invoice; balance, ledger and allocations agree', async () => {
    for (const seed of [21, 22, 23, 24]) {
      const random = seededRandom(seed)
      const k = await invoiceKit()
      await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, { amount: usd(random.int(0, 3000)) })
      const invoices: { id: string }[] = []
      for (let i = 0; i < 4; i++) invoices.push((await k.topUp(1e9, random.int(100, 1000))).invoice)
      // Each request with its own key, some sent twice; all at once.
      const sends = Array.from({ length: 30 }, (_, i) => {
        const invoice = invoices[random.int(0, invoices.length - 1)]!
        const roll = random.next()
        const headers = { 'idempotency-key': `r${seed}-${i}` }
        if (roll < 0.5)
          return {
            path: `/invoices/${invoice.id}/payments`,
            body: { amount: usd(random.int(1, 400)), method: 'cash' },
            headers,
          }
        if (roll < 0.8) return { path: `/invoices/${invoice.id}/pay-from-balance`, body: undefined, headers }
        return { path: `/invoices/${invoice.id}/void`, body: { reason: 'race' }, headers }
      })
      const all = [...sends, ...sends.filter(() => random.next() < 0.3)].sort(() => random.next() - 0.5)
      const replies = await Promise.all(all.map((s) => k.call('POST', s.path, s.body, s.headers)))
      for (const r of replies) expect([200, 201, 402, 409, 422]).toContain(r.status)

      const docs = await k.store.transact((tx) => tx.invoices.list())
      const payments = await k.store.transact((tx) => tx.payments.list())
      const ledger = await k.store.transact((tx) => tx.ledger.list())
      const sub = await k.store.transact((tx) => tx.subscribers.get(k.subscriber.id))
      // The balance is the sum of its movements.
      expect(sub!.balance.amount).toBe(ledger.reduce((s, l) => s + l.amount.amount, 0))
      for (const invoice of docs.filter((d) => d.kind === 'invoice')) {
        const allocated = payments
          .flatMap((p) => p.allocations ?? [])
          .filter((a) => a.invoiceId === invoice.id)
          .reduce((s, a) => s + a.amount.amount, 0)
        expect(invoice.amountPaid?.amount ?? 0).toBe(allocated)
        expect(allocated).toBeLessThanOrEqual(invoice.total.amount)
        expect(invoice.status === 'paid').toBe(
          allocated === invoice.total.amount && invoice.status !== 'void',
        )
        if (invoice.status === 'void') {
          // Exactly what was paid on it came back, once, under its credit note (so nothing was allocated after the void).
          const refunds = ledger.filter((l) => l.kind === 'refund' && l.ref === invoice.creditNoteId)
          expect(refunds.reduce((s, l) => s + l.amount.amount, 0)).toBe(allocated)
        }
      }
      expect(docs.filter((d) => d.kind === 'credit_note')).toHaveLength(
        docs.filter((d) => d.status === 'void').length,
      )
    }
  })
})
