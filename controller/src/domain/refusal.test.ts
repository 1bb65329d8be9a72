import { readdirSync, readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { errorResponse } from '../api/error-response.js'
import { REFUSAL_STATUS } from '../api/refusal-status.js'
import { fieldRefusal, Refusal, type RefusalCode } from './refusal.js'

const domainDir = new URL('.', import.meta.url)
const domainSources = readdirSync(domainDir).filter((f) => /\.tsx?$/.test(f) && !f.includes('.test.'))

describe('domain refusals', () => {
  it.each(domainSources)('%s knows nothing of HTTP', (file) => {
    const source = readFileSync(new URL(file, domainDir), 'utf8')
    expect(source).not.toMatch(/from '(\.\.\/errors\.js|hono[^']*)'/)
    expect(source).not.toMatch(/\bApiError\b|\bHTTPException\b/)
  })

  it.each(Object.entries(REFUSAL_STATUS))(
    '%s is answered with %i and the refusal as it was',
    async (code, status) => {
      const app = new Hono()
      app.onError(errorResponse)
      const refusal = fieldRefusal(code as RefusalCode, 'field', `the ${code} message`, 'problem')
      app.get('/', () => {
        throw refusal
      })
      const res = await app.request('/')
      expect(res.status).toBe(status)
      expect(await res.json()).toEqual({
        error: { code, message: `the ${code} message`, details: [{ path: 'field', message: 'problem' }] },
      })
    },
  )

  it('a refusal is neither a 5xx nor a bare Error to the edges', () => {
    for (const status of Object.values(REFUSAL_STATUS)) expect(status >= 400 && status < 500).toBe(true)
    expect(new Refusal('not_found', 'x')).toBeInstanceOf(Error)
  })
})
