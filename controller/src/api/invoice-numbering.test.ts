import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import type { Tx } from '../store/store.js'
import { invoiceKit, usd } from './invoice-test-kit.js'

/** Top-ups of this size fail inside the transaction after their invoice took a number. */
const DOOMED_BYTES = 1_000_003
const KINDS = ['ok', 'doomed', 'refused'] as const

/** The store, with a write that fails for doomed top-ups: what a crash or a bug mid-transaction looks like. */
function injectFailures(store: { transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> }) {
  const transact = store.transact.bind(store)
  store.transact = <T>(fn: (tx: Tx) => Promise<T>) =>
    transact((tx) => {
      const topUps = new Proxy(tx.topUps, {
        get(target, prop, receiver) {
          if (prop !== 'insert') return Reflect.get(target, prop, receiver)
          return async (row: { bytes: number }) => {
            if (row.bytes === DOOMED_BYTES) throw new Error('injected failure after numbering')
            return target.insert(row as never)
          }
        },
      })
      return fn(new Proxy(tx, { get: (t, p, r) => (p === 'topUps' ? topUps : Reflect.get(t, p, r)) }))
    })
}

describe('invoice numbers under concurrency', () => {
  it('100 concurrent invoices are numbered 1..100 with no gap or duplicate', async () => {
    const k = await invoiceKit()
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        k.call(
          'POST',
          `/subscribers/${k.subscriber.id}/topups`,
          { bytes: 1e9 + i, price: usd(100 + i) },
          { 'idempotency-key': `n-${i}` },
        ),
      ),
    )
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(201))
    const numbers = replies.map((r) => r.body.invoice.number as string).sort()
    expect(numbers).toEqual(
      Array.from({ length: 100 }, (_, i) => `INV-2026-${String(i + 1).padStart(6, '0')}`),
    )
  })

  it('requests refused or failing mid-transaction leave no gap', async () => {
    for (const seed of [11, 12, 13]) {
      const random = seededRandom(seed)
      const k = await invoiceKit()
      injectFailures(k.store)
      // Some succeed, some fail after taking a number (500), some are refused (402: balance short).
      const kinds = Array.from({ length: 100 }, () => KINDS[random.int(0, 2)] ?? 'ok')
      const replies = await Promise.all(
        kinds.map((kind, i) =>
          k.call(
            'POST',
            `/subscribers/${k.subscriber.id}/topups`,
            {
              bytes: kind === 'doomed' ? DOOMED_BYTES : 1e9,
              price: usd(100),
              chargeTo: kind === 'refused' ? 'balance' : 'invoice',
            },
            { 'idempotency-key': `s${seed}-${i}` },
          ),
        ),
      )
      const expected = { ok: 201, doomed: 500, refused: 402 }
      expect(replies.map((r) => r.status)).toEqual(kinds.map((kind) => expected[kind]))
      const okCount = kinds.filter((kind) => kind === 'ok').length
      const numbers = replies.filter((r) => r.status === 201).map((r) => r.body.invoice.number as string)
      expect(numbers.sort()).toEqual(
        Array.from({ length: okCount }, (_, i) => `INV-2026-${String(i + 1).padStart(6, '0')}`),
      )
      // The store holds exactly these invoices; the next one continues the series.
      const listed = (await k.call('GET', `/subscribers/${k.subscriber.id}/invoices`)).body.items
      expect(listed).toHaveLength(okCount)
      const next = await k.call('POST', `/subscribers/${k.subscriber.id}/topups`, {
        bytes: 1e9,
        price: usd(1),
      })
      expect(next.body.invoice.number).toBe(`INV-2026-${String(okCount + 1).padStart(6, '0')}`)
    }
  })
})
