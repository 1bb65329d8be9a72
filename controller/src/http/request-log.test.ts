import { memoryLogger } from '@capd/log'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { errorResponse } from '../api/error-response.js'
import { errorPage } from '../ui/html-errors.js'
import { requestLog } from './request-log.js'

afterEach(() => vi.restoreAllMocks())

function appWith(handler: typeof errorResponse | typeof errorPage) {
  const { logger, records } = memoryLogger()
  const app = new Hono()
  app.use(requestLog(logger))
  app.onError(handler)
  app.get('/boom', () => {
    throw new Error('boom\nforged line')
  })
  app.post('/webhooks/mpesa/*', () => {
    throw new Error('store down')
  })
  return { app, records }
}

describe('unexpected errors on the web app', () => {
  for (const [name, handler] of [
    ['the API', errorResponse],
    ['the pages', errorPage],
  ] as const) {
    it(`are logged by ${name} as one structured error record, never on the console`, async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
      const { app, records } = appWith(handler)
      const res = await app.request('/boom', {
        headers: { Accept: 'text/html', Authorization: 'Bearer sekrit' },
      })
      expect(res.status).toBe(500)
      expect(consoleError).not.toHaveBeenCalled()
      const errors = records().filter((r) => r.level === 50)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({
        component: 'http',
        method: 'GET',
        path: '/boom',
        msg: 'unexpected error',
      })
      expect((errors[0]!.err as { message: string }).message).toBe('boom\nforged line')
      expect(JSON.stringify(records())).not.toContain('sekrit')
    })
  }
})

describe('a provider callback that fails', () => {
  it('is logged without the secret in its path', async () => {
    const { app, records } = appWith(errorResponse)
    for (const path of [
      '/webhooks/mpesa/ord_1/s3cr3t-callback-path',
      '/webhooks/mpesa/callback/ord_1/s3cr3t-2',
    ]) {
      const res = await app.request(path, { method: 'POST' })
      expect(res.status).toBe(500)
    }
    expect(records().filter((r) => r.level === 50)).toEqual([
      expect.objectContaining({ path: '/webhooks/mpesa/ord_1/[redacted]' }),
      expect.objectContaining({ path: '/webhooks/mpesa/callback/ord_1/[redacted]' }),
    ])
    expect(JSON.stringify(records())).not.toContain('s3cr3t')
  })
})
