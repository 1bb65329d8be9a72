import { describe, expect, it } from 'vitest'
import { keptFields, sameAction } from './form-refill.js'

describe('form refill', () => {
  it('never keeps the CSRF token, the idempotency key, a password, or what is not text', () => {
    expect(
      keptFields({
        _csrf: 't',
        idempotencyKey: 'k',
        password: 'p',
        newPassword: 'p',
        PASSWORD_AGAIN: 'p',
        name: 'Bob',
        count: 3,
        list: ['a'],
      }),
    ).toEqual({ name: 'Bob' })
  })

  it('matches a form by its action path, encoded or not', () => {
    expect(sameAction('/subscribers/sub%201', '/subscribers/sub 1')).toBe(true)
    expect(sameAction('/subscribers/a/topups', '/subscribers/a/payments')).toBe(false)
    expect(sameAction('/plans/%E0%A4%A', '/plans/%E0%A4%A')).toBe(true)
  })
})
