/**
 * Auto top-up under a burst: 50 usage batches over the cap sent at once through the agent
 * protocol, for random settings over many seeds. The books must show at most the maximum, never
 * more than the spend cap, never two within the minimum interval, each sale charged exactly once —
 * and no fewer than the settings allow: whenever it stopped short, the recorded reason holds.
 */
import { silentLogger } from '@capd/log'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { AutoTopUp, TopUp } from '../store/entities.js'
import { connectAgent, hello, usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { AutoTopUpRetrier } from './auto-topup-retrier.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const PRICE = 100
const PACK_BYTES = 500

function randomSettings(seed: number) {
  const rnd = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[rnd.int(0, items.length - 1)]!
  const settings: Omit<AutoTopUp, 'enabled' | 'topUpPlanId'> = {
    maxPerPeriod: rnd.int(1, 6),
    minIntervalMs: pick([0, 0, 1000, 30_000, 300_000]),
    ...(rnd.next() < 0.6 ? { spendCapPerPeriod: rnd.int(50, 650) } : {}),
    ...(rnd.next() < 0.3 ? { chargeTo: 'invoice' as const } : {}),
    trigger:
      rnd.next() < 0.5
        ? { kind: 'bytes', bytes: rnd.int(0, 400) }
        : { kind: 'percent_of_last', percent: rnd.int(1, 80) },
  }
  return { rnd, settings, balance: rnd.int(0, 8) * PRICE + rnd.int(0, PRICE - 1) }
}

async function burst(seed: number) {
  const { rnd, settings, balance } = randomSettings(seed)
  const t = await testApp()
  const plan = (
    await t.call('POST', '/plans', { name: 'Tiny', capBytes: 1000, onCap: 'block', allowTiny: true })
  ).body
  const pack = (
    await t.call('POST', '/topup-plans', {
      name: '500 B',
      bytes: PACK_BYTES,
      price: usd(PRICE),
      allowTiny: true,
    })
  ).body
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'A',
      login: 'a',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.1',
    })
  ).body
  if (balance > 0) await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(balance) })
  const put = await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, {
    enabled: true,
    topUpPlanId: pack.id,
    ...settings,
  })
  expect(put.status).toBe(200)
  const server = await t.serve()
  onTestFinished(() => server.close())
  const client = await connectAgent(server.wsUrl, agent.token)
  onTestFinished(() => client.close())
  client.send(hello(agent.id))
  await client.next('sync')

  // 50 batches at once, some of them replays, the clock moving while they are in flight.
  for (let i = 0; i < 50; i++) {
    const seq = i > 0 && rnd.next() < 0.1 ? rnd.int(1, i) : i + 1
    client.send(usage('epoch-a', [{ seq, subscriberId: sub.id, down: rnd.int(100, 1500) }]))
    if (rnd.next() < 0.5) t.clock.advance(rnd.int(0, 20_000))
    if (rnd.next() < 0.3) await new Promise((resolve) => setImmediate(resolve))
  }
  for (let i = 0; i < 50; i++) await client.next('ack')
  await t.hub.drain()
  return { t, sub, settings, balance, client }
}

type Burst = Awaited<ReturnType<typeof burst>>

/** The books against the settings: what a reference reading of the rules allows. */
async function checkBooks({ t, sub, settings, balance }: Burst, label: string) {
  const topUps = Object.values(t.data.topUps).filter((x) => x.subscriberId === sub.id)
  const autos = topUps.filter((x) => x.source === 'auto').sort((a, b) => a.createdAtMs - b.createdAtMs)
  const spent = autos.reduce((sum, x) => sum + x.price.amount, 0)
  expect(autos.length, label).toBeLessThanOrEqual(settings.maxPerPeriod)
  if (settings.spendCapPerPeriod !== undefined)
    expect(spent, label).toBeLessThanOrEqual(settings.spendCapPerPeriod)
  for (let i = 1; i < autos.length; i++) {
    expect(autos[i]!.createdAtMs - autos[i - 1]!.createdAtMs, label).toBeGreaterThanOrEqual(
      settings.minIntervalMs ?? 0,
    )
  }
  // Each sale charged exactly once: one invoice each; on the balance one ledger charge, paid;
  // on the invoice no charge, the invoice open for the customer to pay.
  const charges = Object.values(t.data.ledger).filter((e) => e.kind === 'topup_charge')
  const invoices = Object.values(t.data.invoices)
  for (const x of autos) {
    const itsInvoices = invoices.filter((inv) => inv.topUpId === x.id)
    expect(itsInvoices, label).toHaveLength(1)
    expect(itsInvoices[0]!.total, label).toEqual(x.price)
    const itsCharges = charges.filter((e) => e.ref === x.id)
    if (x.chargeTo === 'balance') {
      expect(
        itsCharges.map((e) => e.amount),
        label,
      ).toEqual([usd(-x.price.amount)])
      expect(itsInvoices[0]!.status, label).toBe('paid')
    } else {
      expect(x.chargeTo, label).toBe('invoice')
      expect(itsCharges, label).toEqual([])
      expect(itsInvoices[0]!.status, label).toBe('open')
    }
  }
  expect(charges.length, label).toBe(autos.filter((x) => x.chargeTo === 'balance').length)
  expect(invoices.length, label).toBe(autos.length)
  const onBalance = autos.filter((x) => x.chargeTo === 'balance').reduce((s, x) => s + x.price.amount, 0)
  const read = (await t.call('GET', `/subscribers/${sub.id}`)).body
  expect(read.balance, label).toEqual(usd(balance - onBalance))

  // No fewer than allowed: below the trigger, the recorded reason must hold.
  const trigger =
    settings.trigger?.kind === 'percent_of_last'
      ? Math.floor((PACK_BYTES * settings.trigger.percent) / 100)
      : (settings.trigger?.bytes ?? 0)
  const remaining = read.usage.limitBytes - read.usage.usedBytes
  if (remaining > trigger) return { autos, decline: undefined }
  const decline = t.data.subscribers[sub.id]!.autoTopUpDeclined
  expect(decline, `${label}: ${remaining} B left, trigger ${trigger}, no reason recorded`).toBeDefined()
  const last: TopUp | undefined = autos.at(-1)
  switch (decline!.reason) {
    case 'max_per_period':
      expect(autos.length, label).toBe(settings.maxPerPeriod)
      break
    case 'spend_cap':
      expect(spent + PRICE, label).toBeGreaterThan(settings.spendCapPerPeriod ?? Number.POSITIVE_INFINITY)
      break
    case 'min_interval':
      expect(decline!.retryAtMs, label).toBe(last!.createdAtMs + (settings.minIntervalMs ?? 0))
      break
    case 'insufficient_balance':
      expect(settings.chargeTo ?? 'balance', label).toBe('balance')
      expect(read.balance.amount, label).toBeLessThan(PRICE)
      break
    default:
      throw new Error(`${label}: unexpected reason ${decline!.reason}`)
  }
  return { autos, decline }
}

describe('auto top-up under a burst of 50 over-cap reports', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    'seed %i: at most the maximum, within the spend cap, never two within the interval, each paid once',
    async (seed) => {
      const b = await burst(seed)
      const label = `seed ${seed} ${JSON.stringify(b.settings)} balance ${b.balance}`
      let { decline, autos } = await checkBooks(b, label)
      // Blocked while waiting: nothing arrives, so the retry timer must do it when the interval ends,
      // again after each of its top-ups, until a limit other than the interval stops it. How many the
      // burst itself sold depends on how the clock moved while its batches were booked.
      const retrier = new AutoTopUpRetrier({ store: b.t.store, env: b.t.env, logger: silentLogger })
      for (let retry = 1; decline?.reason === 'min_interval'; retry++) {
        const at = `${label}, retry ${retry}`
        expect(retry, at).toBeLessThanOrEqual(b.settings.maxPerPeriod)
        b.t.clock.set(decline.retryAtMs! - 1)
        expect((await retrier.runOnce()).nextRetryAtMs, at).toBe(decline.retryAtMs)
        expect((await checkBooks(b, at)).autos, at).toHaveLength(autos.length)
        b.t.clock.set(decline.retryAtMs!)
        const { toppedUp } = await retrier.runOnce()
        const after = await checkBooks(b, `${at}, after it`)
        if (after.decline?.reason === 'min_interval') {
          // Waiting again is only right after selling one more now.
          expect(after.autos, at).toHaveLength(autos.length + 1)
          expect(after.decline.retryAtMs, at).toBeGreaterThan(decline.retryAtMs!)
        }
        if (toppedUp.length > 0) {
          // The retry's top-up reaches the agent as any other limit change does.
          const limit = (await b.t.call('GET', `/subscribers/${b.sub.id}`)).body.usage.limitBytes
          let pushed = 0
          while (pushed !== limit) pushed = (await b.client.next('limits')).subscribers[0].limitBytes
        }
        ;({ decline, autos } = after)
      }
    },
  )
})
