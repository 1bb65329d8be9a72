import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { readForm } from './form-input.js'

describe('reading a form', () => {
  it('keeps the last of a field sent twice', async () => {
    const app = new Hono()
    app.post('/', async (c) => c.json(await readForm(c)))
    const res = await app.request('/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=a&name=b&days=7',
    })
    expect(await res.json()).toEqual({ name: 'b', days: '7' })
  })
})
