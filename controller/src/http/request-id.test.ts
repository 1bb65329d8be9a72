/** Every answer carries a request id, the caller's when it is plain and short, and the request's log lines carry the same. */
import { memoryLogger } from '@capd/log'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { manualClock } from '../clock.js'
import type { DomainEnv } from '../domain/env.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import { REQUEST_ID_MAX_LENGTH } from './request-id.js'

const env: DomainEnv = {
  clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
  timeZone: 'UTC',
  currency: 'USD',
  idempotencyTtlMs: 3600_000,
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function app() {
  const store = new DocumentStore(emptyData(), null)
  const { logger, records } = memoryLogger()
  return { store, records, app: createApp({ store, env, logger, isAgentConnected: () => false }) }
}

describe('request ids', () => {
  it('keeps a plain, short incoming X-Request-Id and echoes it', async () => {
    const { app: a } = app()
    for (const id of ['abc', 'lb-7f3a_9=', 'x'.repeat(REQUEST_ID_MAX_LENGTH)]) {
      const res = await a.request('/healthz', { headers: { 'x-request-id': id } })
      expect(res.headers.get('x-request-id')).toBe(id)
    }
  })

  it('makes a fresh one when there is none, or it is too long or not plain', async () => {
    const { app: a } = app()
    const rnd = seededRandom(9)
    const odd = ' "\'<>;:/\\{}%\t'
    const bad = [
      'x'.repeat(REQUEST_ID_MAX_LENGTH + 1),
      ...Array.from({ length: 30 }, () => `ok${odd[rnd.int(0, odd.length - 1)]}${rnd.int(0, 1e6)}`),
    ]
    const seen = new Set<string>()
    for (const id of [undefined, ...bad]) {
      const res = await a.request('/healthz', id === undefined ? {} : { headers: { 'x-request-id': id } })
      const answered = res.headers.get('x-request-id')!
      expect(answered).toMatch(UUID)
      expect(seen.has(answered)).toBe(false)
      seen.add(answered)
    }
  })

  it('is on the log line of a request that failed, which holds no secret', async () => {
    const { app: a, store, records } = app()
    store.peek = () => Promise.reject(new Error('disk on fire'))
    const token = 'capd_secret_token_0123456789abcdef'
    const res = await a.request('/api/v1/plans', {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-123' },
    })
    expect(res.status).toBe(500)
    expect(res.headers.get('x-request-id')).toBe('trace-123')
    const failed = records().filter((r) => r.msg === 'unexpected error')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ requestId: 'trace-123', component: 'http', path: '/api/v1/plans' })
    expect(JSON.stringify(records())).not.toContain(token)
  })
})
