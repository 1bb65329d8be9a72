import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { Refusal } from '../../domain/refusal.js'
import { mpesaPhone } from './phone.js'

describe('mpesaPhone', () => {
  it.each([
    ['+254712345678', '254712345678'],
    ['254712345678', '254712345678'],
    ['0712345678', '254712345678'],
    ['0112 345 678', '254112345678'],
    [' +254 110-345-678 ', '254110345678'],
    ['(0722) 000.111', '254722000111'],
  ])('takes %j as %s', (typed, daraja) => {
    expect(mpesaPhone(typed)).toBe(daraja)
  })

  it.each([
    '',
    undefined,
    '712345678',
    '+255712345678',
    '0812345678',
    '07123456789',
    '071234567',
    '+2540712345678',
    '+254 7123 4567a',
    '254712345678; DROP',
  ])('refuses %j on the phone field', (typed) => {
    let refusal: unknown
    try {
      mpesaPhone(typed)
    } catch (err) {
      refusal = err
    }
    expect(refusal).toBeInstanceOf(Refusal)
    expect((refusal as Refusal).details).toEqual([
      { path: 'phone', message: expect.stringContaining('07XX XXX XXX') },
    ])
  })

  it('never lets a random string through unless it is a Kenyan mobile number', () => {
    const random = seededRandom(7)
    const alphabet = '0123456789+ -7254'
    for (let i = 0; i < 2000; i++) {
      const typed = Array.from(
        { length: random.int(0, 16) },
        () => alphabet[random.int(0, alphabet.length - 1)],
      ).join('')
      let out: string | undefined
      try {
        out = mpesaPhone(typed)
      } catch {
        continue
      }
      expect(out, typed).toMatch(/^254[17]\d{8}$/)
      expect(typed.replace(/\D/g, '').endsWith(out.slice(3)), typed).toBe(true)
    }
  })
})
