/** A test app with a subscriber ready to be invoiced, and helpers to read what the agent would be told. */
import { limitsFor } from '../domain/limits.js'
import type { Commit } from '../store/commit-notes.js'
import { type TestAppOptions, testApp } from '../testing/test-app.js'

export const usd = (amount: number) => ({ amount, currency: 'USD' })

let keys = 0
/** A fresh Idempotency-Key header. */
export const key = () => ({ 'idempotency-key': `test-key-${++keys}` })

export async function invoiceKit(options: TestAppOptions = {}) {
  const app = await testApp(options)
  const { subscriber, topUpPlan, plan } = await app.seed()
  const commits: Commit[] = []
  app.store.onCommit((c) => commits.push(c))

  /** An operator top-up of `bytes` at `price` minor units, charged to an invoice unless said otherwise. */
  async function topUp(bytes: number, price: number, chargeTo: 'invoice' | 'balance' = 'invoice') {
    const res = await app.call(
      'POST',
      `/subscribers/${subscriber.id}/topups`,
      { bytes, price: usd(price), chargeTo },
      key(),
    )
    if (res.status !== 201) throw new Error(`top-up refused: ${JSON.stringify(res.body)}`)
    return res.body as { topUp: { id: string }; invoice: { id: string; number: string; total: unknown } }
  }

  /** Books usage for the current period directly (the agent's path is tested elsewhere). */
  async function setUsed(usedBytes: number) {
    const periodStartMs = Date.parse(
      (await app.call('GET', `/subscribers/${subscriber.id}`)).body.usage.periodStart,
    )
    await app.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(subscriber.id))!
      await tx.subscribers.update({ ...sub, usedBytes, usagePeriodStartMs: periodStartMs })
    })
  }

  /** The limit the agent would be sent now. */
  const agentLimit = async () =>
    (await app.store.transact((tx) => limitsFor(tx, app.env, [subscriber.id])))[0]!

  const balance = async () => (await app.call('GET', `/subscribers/${subscriber.id}`)).body.balance
  const ledgerKinds = async () =>
    (await app.call('GET', `/subscribers/${subscriber.id}/ledger`)).body.items.map(
      (l: { kind: string; amount: { amount: number } }) => [l.kind, l.amount.amount],
    )
  const invoice = async (id: string) => (await app.call('GET', `/invoices/${id}`)).body

  return {
    ...app,
    subscriber,
    topUpPlan,
    plan,
    commits,
    topUp,
    setUsed,
    agentLimit,
    balance,
    ledgerKinds,
    invoice,
  }
}
