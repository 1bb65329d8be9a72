import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fieldMarksIn } from '../testing/field-marks.js'
import { catalogTestKit } from './catalog-test-kit.js'
import { flashIn } from './subscriber-test-kit.js'

type Kit = Awaited<ReturnType<typeof catalogTestKit>>

interface AmountForm {
  title: string
  action: (k: Kit) => string
  /** The form's other fields, filled in as an operator would. */
  rest: (k: Kit) => Record<string, string>
  field: string
  label: string
  /** The bytes saved, read from the store. */
  saved: (k: Kit) => number | undefined
  /** Whether an amount under 1 MB is refused. */
  sized: boolean
}

const FORMS: AmountForm[] = [
  {
    title: 'new plan',
    action: () => '/plans',
    rest: () => ({ name: 'Typed', onCap: 'block', throttleKbps: '' }),
    field: 'capBytes',
    label: 'Data cap',
    saved: (k) =>
      Object.values(k.data.plans)
        .filter((p) => p.name === 'Typed')
        .at(-1)?.capBytes,
    sized: true,
  },
  {
    title: 'plan edit',
    action: (k) => `/plans/${k.plan.id}`,
    rest: () => ({ name: 'Basic', onCap: 'block', throttleKbps: '' }),
    field: 'capBytes',
    label: 'Data cap',
    saved: (k) => k.data.plans[k.plan.id]!.capBytes,
    sized: true,
  },
  {
    title: 'new top-up plan',
    action: () => '/topup-plans',
    rest: () => ({ name: 'Typed', price: '1.00', validityDays: '' }),
    field: 'bytes',
    label: 'Data amount',
    saved: (k) =>
      Object.values(k.data.topUpPlans)
        .filter((p) => p.name === 'Typed')
        .at(-1)?.bytes,
    sized: true,
  },
  {
    title: 'top-up plan edit',
    action: (k) => `/topup-plans/${k.topUpPlan.id}`,
    rest: () => ({ name: '10 GB', price: '5.00', validityDays: '' }),
    field: 'bytes',
    label: 'Data amount',
    saved: (k) => k.data.topUpPlans[k.topUpPlan.id]!.bytes,
    sized: true,
  },
  {
    title: 'manual top-up',
    action: (k) => `/subscribers/${k.subscriber.id}/topups`,
    rest: () => ({ price: '1.00', chargeTo: 'invoice', idempotencyKey: randomUUID() }),
    field: 'bytes',
    label: 'Data amount',
    saved: (k) => Object.values(k.data.topUps).at(-1)?.bytes,
    sized: true,
  },
  {
    title: 'auto top-up threshold',
    action: (k) => `/subscribers/${k.subscriber.id}/auto-topup`,
    rest: (k) => ({ topUpPlanId: k.topUpPlan.id, maxPerPeriod: '1' }),
    field: 'thresholdBytes',
    label: 'Top up when remaining data is at most',
    saved: (k) => k.data.subscribers[k.subscriber.id]!.autoTopUp?.thresholdBytes,
    sized: false,
  },
]

/** Posts `amount` (and `unit`, when given) in the form, as the page would. */
async function post(k: Kit, f: AmountForm, amount: string, unit?: string) {
  const form = {
    ...f.rest(k),
    [f.field]: amount,
    ...(unit === undefined ? {} : { [`${f.field}Unit`]: unit }),
  }
  return k.submit(f.action(k), form)
}

/** Posts what an operator might mistype: refused, naming the field, nothing saved, what was typed shown again. */
async function refused(k: Kit, f: AmountForm, amount: string, unit: string | undefined, why: RegExp) {
  const before = JSON.stringify({ ...k.data, operatorSessions: {} })
  const { next } = await post(k, f, amount, unit)
  const flash = flashIn(next!.html)
  expect(flash, `${f.title} ${amount} ${unit}`).toEqual({
    kind: 'error',
    text: 'Check the field marked below.',
  })
  const marks = fieldMarksIn(next!.html)
  expect(marks.map((m) => m.label)).toEqual([f.label])
  expect(marks[0]!.message, `${f.title} ${amount} ${unit}`).toMatch(why)
  expect(JSON.stringify({ ...k.data, operatorSessions: {} })).toBe(before)
  expect(next!.html).toContain(`value="${amount.replace(/"/g, '&quot;')}"`)
}

const UNITS = { MB: 10n ** 6n, GB: 10n ** 9n, TB: 10n ** 12n } as const

describe.each(FORMS)('the $title form', (f) => {
  it('refuses a number without a unit, or a unit it does not offer, and saves nothing', async () => {
    const k = await catalogTestKit()
    await refused(k, f, '200', undefined, /unit/i)
    await refused(k, f, '200', '', /unit/i)
    await refused(k, f, '200', 'B', /MB, GB or TB/)
    await refused(k, f, '200', 'kB', /MB, GB or TB/)
    await refused(k, f, '200 B', undefined, /MB, GB or TB/)
    await refused(k, f, '5 GB', 'MB', /unit/i)
  })

  it('refuses what is not a number, too large, or not a whole number of bytes', async () => {
    const k = await catalogTestKit()
    for (const typed of ['lots', '1e3', '-5', '1,5', '0x10', '.5', '5.', 'Infinity', '٣'])
      await refused(k, f, typed, 'GB', /number/)
    await refused(k, f, '99999999999', 'TB', /too large/)
    await refused(k, f, '9'.repeat(400), 'MB', /too large|number/)
    await refused(k, f, '1.0000000001', 'MB', /decimal places/)
  })

  it('reads a number and a unit exactly, decimals included', async () => {
    const k = await catalogTestKit()
    await post(k, f, '200', 'MB')
    expect(f.saved(k)).toBe(200_000_000)
    await post(k, f, '1.5', 'GB')
    expect(f.saved(k)).toBe(1_500_000_000)
    await post(k, f, ' 2 ', 'TB')
    expect(f.saved(k)).toBe(2e12)
    await post(k, f, '5 GB', undefined)
    expect(f.saved(k)).toBe(5e9)
    await post(k, f, '7 gb', 'GB')
    expect(f.saved(k)).toBe(7e9)
    for (let i = 0; i < 5; i++) {
      const unit = (['MB', 'GB', 'TB'] as const)[i % 3]!
      const whole = 1 + Math.floor(Math.random() * 999)
      const fraction = String(Math.floor(Math.random() * 1000)).padStart(3, '0')
      await post(k, f, `${whole}.${fraction}`, unit)
      expect(f.saved(k)).toBe(Number(((BigInt(whole) * 1000n + BigInt(fraction)) * UNITS[unit]) / 1000n))
    }
  })

  it(f.sized ? 'refuses less than 1 MB' : 'takes amounts under 1 MB, and 0', async () => {
    const k = await catalogTestKit()
    if (f.sized) {
      await refused(k, f, '0.999999', 'MB', /at least 1 MB/)
      await refused(k, f, '0', 'GB', /at least 1 MB/)
    } else {
      await post(k, f, '0.5', 'MB')
      expect(f.saved(k)).toBe(500_000)
      await post(k, f, '0', 'GB')
      expect(f.saved(k)).toBe(0)
    }
  })
})
