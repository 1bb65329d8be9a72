import { describe, expect, it } from 'vitest'
import {
  checkNewPassword,
  PASSWORD_MAX_CHARS,
  PASSWORD_MIN_CHARS,
  passwordProblem,
} from './password-policy.js'

describe('staff password policy', () => {
  it('takes 12 to 128 characters, counted as code points', () => {
    expect(passwordProblem('a'.repeat(PASSWORD_MIN_CHARS - 1), 'ann')).toMatch(/at least 12/)
    expect(passwordProblem('a'.repeat(PASSWORD_MIN_CHARS), 'ann')).toBeUndefined()
    expect(passwordProblem('a'.repeat(PASSWORD_MAX_CHARS), 'ann')).toBeUndefined()
    expect(passwordProblem('a'.repeat(PASSWORD_MAX_CHARS + 1), 'ann')).toMatch(/at most 128/)
    // Six emoji are twelve UTF-16 units but six characters.
    expect(passwordProblem('🔑'.repeat(6), 'ann')).toMatch(/at least 12/)
  })

  it('refuses the login itself, whatever its case', () => {
    expect(passwordProblem('Operator-Anna', 'operator-anna')).toMatch(/not be the login/)
    expect(() => checkNewPassword('operator-anna', 'operator-anna')).toThrow(/not be the login/)
  })

  it('refuses random short and long passwords and accepts the rest', () => {
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(Math.random() * 160)
      const password = Array.from({ length }, () =>
        String.fromCharCode(33 + Math.floor(Math.random() * 94)),
      ).join('')
      const ok = length >= PASSWORD_MIN_CHARS && length <= PASSWORD_MAX_CHARS
      expect(passwordProblem(password, 'some-login') === undefined).toBe(ok)
    }
  })
})
