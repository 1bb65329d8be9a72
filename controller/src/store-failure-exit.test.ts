/**
 * A failed store write: the request that hit it, and every request after it, is answered 503
 * `store_unavailable` before the controller's fatal hook (which exits the process) runs.
 */

import { silentLogger } from '@capd/log'
import { describe, expect, it } from 'vitest'
import { bootstrap } from './auth/bootstrap.js'
import { manualClock } from './clock.js'
import { runController } from './controller.js'
import type { DomainEnv } from './domain/env.js'
import { emptyData } from './store/data.js'
import { DocumentStore, type Persistence } from './store/document-store.js'
import { TEST_TOKEN } from './testing/test-app.js'

/** Persistence that works until `fail` is set, then refuses every write, as a full disk would. */
function breakablePersistence() {
  const state = { fail: false }
  const persistence: Persistence = {
    append: async () => {
      if (state.fail) throw new Error('ENOSPC: no space left on device')
    },
    wantsSnapshot: () => false,
    snapshot: async () => {
      if (state.fail) throw new Error('ENOSPC: no space left on device')
    },
    logSize: () => 0,
    keepLogFrom: async () => {},
    close: async () => {},
  }
  return { persistence, state }
}

describe('a failed store write', () => {
  it('is answered 503 store_unavailable, and so is every later request, before the process is told to exit', async () => {
    const { persistence, state } = breakablePersistence()
    const store = new DocumentStore(emptyData(), persistence)
    const env: DomainEnv = {
      clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
      timeZone: 'UTC',
      currency: 'USD',
      idempotencyTtlMs: 3600_000,
    }
    await bootstrap(store, env, { bootstrapToken: TEST_TOKEN })
    const events: string[] = []
    let fatal: (err: Error) => void = () => {}
    const exited = new Promise<Error>((resolve) => {
      fatal = resolve
    })
    const controller = await runController({
      store,
      env,
      logger: silentLogger,
      port: 0,
      host: '127.0.0.1',
      fatalGraceMs: 300,
      onFatal: (err) => {
        events.push('exit')
        fatal(err)
      },
    })
    try {
      const base = `http://127.0.0.1:${controller.port}`
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      expect((await call('GET', '/api/v1/plans')).status).toBe(200)
      state.fail = true
      const hit = await call('POST', '/api/v1/plans', { name: 'Basic', capBytes: 1e9, onCap: 'block' })
      events.push('answered')
      expect(hit.status).toBe(503)
      const answer = (await hit.json()) as { error: { code: string; message: string } }
      expect(answer.error.code).toBe('store_unavailable')
      // Callers need not be authenticated (a portal login): the errno stays in the log.
      expect(answer.error.message).not.toMatch(/ENOSPC|no space/)
      // A read after the failure would show memory the disk never got: refused as well.
      const later = await call('GET', '/api/v1/plans')
      events.push('answered')
      expect(later.status).toBe(503)
      const gated = (await later.json()) as { error: { code: string; message: string } }
      expect(gated.error.code).toBe('store_unavailable')
      expect(gated.error.message).not.toMatch(/ENOSPC|no space/)
      const err = await exited
      expect(err.message).toMatch(/ENOSPC/)
      expect(events).toEqual(['answered', 'answered', 'exit'])
    } finally {
      await controller.stop()
    }
  })
})
