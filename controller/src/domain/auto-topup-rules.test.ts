import { describe, expect, it } from 'vitest'
import type { AutoTopUp, TopUp, TopUpPlan } from '../store/entities.js'
import {
  DEFAULT_MIN_INTERVAL_MS,
  decideNext,
  invoiceDescription,
  triggerBytes,
  unknownPlaceholders,
} from './auto-topup-rules.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const P = 1_000_000
const pack: TopUpPlan = { id: 'tpp', name: 'Week pass', bytes: 2000, price: usd(100), createdAtMs: 0 }
const settings = (s: Partial<AutoTopUp> = {}): AutoTopUp => ({
  enabled: true,
  topUpPlanId: 'tpp',
  maxPerPeriod: 3,
  ...s,
})
let n = 0
const topUp = (t: Partial<TopUp>): TopUp => ({
  id: `top_${n++}`,
  subscriberId: 'sub',
  bytes: 500,
  price: usd(100),
  source: 'auto',
  chargeTo: 'balance',
  createdAtMs: P + 10,
  periodStartMs: P,
  expiresAtMs: P * 2,
  invoiceId: 'inv',
  actor: 'system',
  ...t,
})

describe('triggerBytes', () => {
  it('takes the fixed number, the old threshold, or 0', () => {
    expect(triggerBytes(settings({ trigger: { kind: 'bytes', bytes: 70 } }), [], P, pack)).toBe(70)
    expect(triggerBytes(settings({ thresholdBytes: 30 }), [], P, pack)).toBe(30)
    expect(triggerBytes(settings(), [], P, pack)).toBe(0)
  })

  it("takes a share of the period's last top-up, of any source; none yet: of the plan's size", () => {
    const s = settings({ trigger: { kind: 'percent_of_last', percent: 25 } })
    expect(triggerBytes(s, [], P, pack)).toBe(500)
    const older = topUp({ bytes: 800, createdAtMs: P + 1, source: 'operator' })
    const newer = topUp({ bytes: 400, createdAtMs: P + 2 })
    const lastPeriod = topUp({ bytes: 9000, createdAtMs: P - 3, periodStartMs: 0 })
    const reversed = topUp({ bytes: 9000, createdAtMs: P + 4, reversedAtMs: P + 5 })
    expect(triggerBytes(s, [newer, lastPeriod, older, reversed], P, pack)).toBe(100)
    expect(triggerBytes(s, [], P, undefined)).toBe(0)
  })
})

describe('decideNext', () => {
  const base = { topUps: [] as TopUp[], periodStartMs: P, pack, balance: usd(1000), nowMs: P + 1e9 }

  it('says the maximum first, then the plan, the spend cap, the interval, the funds', () => {
    const full = [topUp({}), topUp({}), topUp({})]
    const all = settings({ spendCapPerPeriod: 50 })
    expect(decideNext({ ...base, settings: all, topUps: full, pack: undefined, balance: usd(0) })).toEqual({
      ok: false,
      reason: 'max_per_period',
    })
    expect(decideNext({ ...base, settings: all, pack: undefined, balance: usd(0) })).toMatchObject({
      reason: 'plan_unavailable',
    })
    expect(decideNext({ ...base, settings: all, balance: usd(0) })).toMatchObject({ reason: 'spend_cap' })
    const recent = [topUp({ createdAtMs: base.nowMs - 1000 })]
    expect(decideNext({ ...base, settings: settings(), topUps: recent, balance: usd(0) })).toEqual({
      ok: false,
      reason: 'min_interval',
      retryAtMs: base.nowMs - 1000 + DEFAULT_MIN_INTERVAL_MS,
    })
    expect(decideNext({ ...base, settings: settings(), balance: usd(99) })).toMatchObject({
      reason: 'insufficient_balance',
    })
    expect(decideNext({ ...base, settings: settings(), balance: usd(100) })).toEqual({
      ok: true,
      charged: usd(100),
    })
  })

  it('counts the spend cap in what was charged, tax included, this period only', () => {
    const taxed: TopUpPlan = { ...pack, tax: { rateBp: 1600, inclusive: false } }
    const spent = [
      topUp({ price: usd(300) }),
      topUp({ price: usd(999), createdAtMs: P - 1, periodStartMs: 0 }),
    ]
    const at = (cap: number) =>
      decideNext({ ...base, pack: taxed, settings: settings({ spendCapPerPeriod: cap }), topUps: spent })
    expect(at(416).ok).toBe(true)
    expect(at(415)).toMatchObject({ reason: 'spend_cap' })
  })

  it('needs no funds when it goes on the invoice', () => {
    const s = settings({ chargeTo: 'invoice' })
    expect(decideNext({ ...base, settings: s, balance: usd(0) }).ok).toBe(true)
  })

  it('allows the next one exactly when the interval has passed', () => {
    const s = settings({ minIntervalMs: 60_000 })
    const topUps = [topUp({ createdAtMs: P + 5 })]
    expect(decideNext({ ...base, settings: s, topUps, nowMs: P + 5 + 59_999 }).ok).toBe(false)
    expect(decideNext({ ...base, settings: s, topUps, nowMs: P + 5 + 60_000 }).ok).toBe(true)
  })
})

describe('invoice description', () => {
  it('fills {size}, {plan} and {subscriber}, each as often as it appears', () => {
    const text = invoiceDescription('{plan} ({size}) for {subscriber}; {size}', {
      bytes: 5e9,
      planName: 'Week pass',
      subscriberName: 'Anna',
    })
    expect(text).toBe('Week pass (5 GB) for Anna; 5 GB')
  })

  it('names the placeholders it does not know', () => {
    expect(unknownPlaceholders('{size} {sise} {} {plan}')).toEqual(['sise', ''])
    expect(unknownPlaceholders('Data top-up {size}')).toEqual([])
  })
})
