import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from './passwords.js'
import { hashToken, newToken, tokenMatches } from './tokens.js'

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(await verifyPassword('correct horse', hash)).toBe(true)
    expect(await verifyPassword('correct hors', hash)).toBe(false)
  })

  it('salts: one password, two hashes', async () => {
    expect(await hashPassword('x')).not.toBe(await hashPassword('x'))
  })

  it('refuses a malformed stored hash', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false)
  })
})

describe('tokens', () => {
  it('are random, prefixed and match only their own hash', () => {
    const a = newToken('capd')
    const b = newToken('capd')
    expect(a).toMatch(/^capd_[A-Za-z0-9_-]{43}$/)
    expect(a).not.toBe(b)
    expect(tokenMatches(a, hashToken(a))).toBe(true)
    expect(tokenMatches(b, hashToken(a))).toBe(false)
    expect(tokenMatches(a, 'abc')).toBe(false)
  })
})
