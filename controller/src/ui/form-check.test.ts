import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ApiError } from '../errors.js'
import { dataAmountField } from './data-amount.js'
import { setFlash, takeFlash } from './flash.js'
import { FormCheck, STALE_FORM } from './form-check.js'
import { FormRefusal, fieldError, fieldErrorsOf, sentence } from './form-refusal.js'
import { requiredText } from './form-values.js'

const refusalOf = (fn: () => unknown): FormRefusal => {
  try {
    fn()
  } catch (err) {
    if (err instanceof FormRefusal) return err
    throw err
  }
  throw new Error('not refused')
}

const Schema = z.strictObject({ name: z.string().min(1), days: z.number().int().min(1), size: z.number() })
const MESSAGES = { name: 'Enter a name.', days: 'Enter a number of days.', size: 'Enter a size.' }

describe('FormCheck', () => {
  it('names every bad field at once: reads, schema issues and added problems, first problem per field', () => {
    const form = { name: '', size: 'lots', sizeUnit: 'GB' }
    const err = refusalOf(() => {
      const check = new FormCheck()
      const size = check.read(() => dataAmountField(form, 'size', 'Size', { minBytes: 0 }))
      check.read(() => requiredText(form, 'name', 'Name'))
      check.add(fieldError('name', 'Name', 'A second problem, not shown.'))
      return check.done(check.schema(Schema, { name: '', days: 0, size }, MESSAGES))
    })
    expect(err.problems).toEqual([
      { field: 'size', message: 'Enter the data amount as a number, e.g. 5 or 1.5.' },
      { field: 'name', message: 'This field is required.' },
      { field: 'days', message: 'Enter a number of days.' },
    ])
    expect(err.status).toBe(400)
    expect(err.message).toMatch(/^Size: Enter the data amount.*; Name: This field is required\.; days: /)
  })

  it('counts a data amount whose unit is wrong as that amount refused (one mark, not two)', () => {
    const err = refusalOf(() => {
      const check = new FormCheck()
      const size = check.read(() => dataAmountField({ size: '5' }, 'size', 'Size', { minBytes: 0 }))
      return check.done(check.schema(Schema, { name: 'a', days: 1, size }, MESSAGES))
    })
    expect(err.problems).toEqual([{ field: 'sizeUnit', message: 'Choose a unit: MB, GB or TB.' }])
  })

  it('says our words for any zod issue, whatever was posted', () => {
    for (const input of [{}, { name: 5, days: 'x', size: null }, { name: '', days: 1.5, size: Number.NaN }]) {
      const err = refusalOf(() => {
        const check = new FormCheck()
        return check.done(check.schema(Schema, input, MESSAGES))
      })
      for (const p of err.problems) expect(p.message).toBe(MESSAGES[p.field as keyof typeof MESSAGES])
    }
  })

  it('refuses a problem in no field the person can fix as an out-of-date form, at once', () => {
    const check = new FormCheck()
    let thrown: unknown
    try {
      check.schema(Schema, { name: 'a', days: 1, size: 1, subscriberId: 'sub_x' }, MESSAGES)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ApiError)
    expect((thrown as ApiError).message).toBe(STALE_FORM)
    expect(fieldErrorsOf(thrown)).toEqual([])
  })

  it('gives the value when every field is fine', () => {
    const check = new FormCheck()
    expect(check.done(check.schema(Schema, { name: 'a', days: 2, size: 3 }, MESSAGES))).toEqual({
      name: 'a',
      days: 2,
      size: 3,
    })
  })

  it('writes a domain problem as a sentence, keeping an address as it is', () => {
    expect(sentence('agent x does not exist')).toBe('Agent x does not exist.')
    expect(sentence('ff02::1 is a multicast address')).toBe('ff02::1 is a multicast address.')
    expect(sentence('"bob" is taken')).toBe('"bob" is taken.')
  })
})

describe('field problems in the flash cookie', () => {
  const app = new Hono()
  app.get('/set', (c) => {
    setFlash(c, 'operator', {
      kind: 'error',
      text: 'Check the field marked below.',
      form: {
        action: '/plans',
        fields: { name: 'x'.repeat(5000) },
        problems: [{ field: 'name', message: 'Use at most 100 characters.' }],
      },
    })
    return c.text('ok')
  })
  app.get('/take', (c) => c.json(takeFlash(c, 'operator') ?? null))
  const take = async (cookie: string) =>
    (await app.request('/take', { headers: { cookie: `capd_flash=${cookie}` } })).json()

  it('keeps the problems when the typed fields do not fit', async () => {
    const set = (await app.request('/set')).headers.get('set-cookie')!
    const cookie = /capd_flash=([^;]+)/.exec(set)![1]!
    expect(await take(cookie)).toEqual({
      kind: 'error',
      text: 'Check the field marked below.',
      form: { action: '/plans', problems: [{ field: 'name', message: 'Use at most 100 characters.' }] },
    })
  })

  it('drops forged problems that are not field and message text', async () => {
    const forged = {
      kind: 'error',
      text: 't',
      form: {
        action: '/plans',
        problems: [{ field: 1, message: 'x' }, { field: 'name' }, 'x', { field: 'a', message: 'ok' }],
      },
    }
    const cookie = Buffer.from(JSON.stringify(forged)).toString('base64url')
    expect(await take(cookie)).toEqual({
      kind: 'error',
      text: 't',
      form: { action: '/plans', problems: [{ field: 'a', message: 'ok' }] },
    })
  })
})
