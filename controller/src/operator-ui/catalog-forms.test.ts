import { describe, expect, it } from 'vitest'
import { planFromForm, topUpPlanFromForm } from './catalog-forms.js'

const message = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('not refused')
}

describe('plan form', () => {
  it('reads a block and a throttle plan', () => {
    expect(
      planFromForm({ name: 'Basic', capBytes: '100', capBytesUnit: 'GB', onCap: 'block', throttleKbps: '' }),
    ).toEqual({
      name: 'Basic',
      capBytes: 100e9,
      capAction: { kind: 'block' },
    })
    expect(
      planFromForm({
        name: 'Slow',
        capBytes: '1',
        capBytesUnit: 'GB',
        onCap: 'throttle',
        throttleKbps: '512',
      }),
    ).toEqual({
      name: 'Slow',
      capBytes: 1e9,
      capAction: { kind: 'throttle_kbps', kbps: 512 },
    })
  })

  it('ignores a leftover rate for Block', () => {
    expect(
      planFromForm({ name: 'B', capBytes: '1', capBytesUnit: 'GB', onCap: 'block', throttleKbps: '512' }),
    ).toMatchObject({ capAction: { kind: 'block' } })
  })

  it('says which field is wrong', () => {
    expect(message(() => planFromForm({ name: 'B', capBytes: 'lots', onCap: 'block' }))).toMatch(
      /^Data cap: /,
    )
    expect(
      message(() =>
        planFromForm({ name: 'B', capBytes: '1', capBytesUnit: 'GB', onCap: 'throttle', throttleKbps: '' }),
      ),
    ).toBe('Slow to (kbit/s): Enter the speed subscribers are slowed to at the cap, in kbit/s, such as 512.')
    expect(
      message(() =>
        planFromForm({ name: 'B', capBytes: '1', capBytesUnit: 'GB', onCap: 'throttle', throttleKbps: '0' }),
      ),
    ).toMatch(/^Slow to \(kbit\/s\): /)
    expect(
      message(() => planFromForm({ name: ' ', capBytes: '1', capBytesUnit: 'GB', onCap: 'block' })),
    ).toBe('Name: Enter a name.')
    expect(
      message(() => planFromForm({ name: 'B', capBytes: '1', capBytesUnit: 'GB', onCap: 'explode' })),
    ).toMatch(/^At the cap: /)
  })
})

describe('top-up plan form', () => {
  it('reads amount, price and optional validity', () => {
    expect(
      topUpPlanFromForm(
        { name: 'Week', bytes: '5', bytesUnit: 'GB', price: '2.99', validityDays: '7' },
        'USD',
      ),
    ).toEqual({
      name: 'Week',
      bytes: 5e9,
      price: { amount: 299, currency: 'USD' },
      validityDays: 7,
    })
    expect(
      topUpPlanFromForm({ name: 'P', bytes: '1', bytesUnit: 'GB', price: '1', validityDays: '' }, 'USD'),
    ).not.toHaveProperty('validityDays')
  })

  it('says which field is wrong', () => {
    const base = { name: 'P', bytes: '1', bytesUnit: 'GB', price: '1.00', validityDays: '' }
    expect(message(() => topUpPlanFromForm({ ...base, bytes: '0', bytesUnit: 'GB' }, 'USD'))).toMatch(
      /^Data amount: /,
    )
    expect(message(() => topUpPlanFromForm({ ...base, price: '-1' }, 'USD'))).toMatch(/^Price: /)
    expect(message(() => topUpPlanFromForm({ ...base, price: 'free' }, 'USD'))).toMatch(/^Price: /)
    expect(message(() => topUpPlanFromForm({ ...base, validityDays: '400' }, 'USD'))).toMatch(
      /^Valid for \(days\): /,
    )
  })
})
