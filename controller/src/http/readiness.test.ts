/**
 * `/readyz`: ready on a working store, even while a long transaction holds its lock; 503 with a
 * code and a fixed sentence (never the failure's details) once the store failed, closed, hangs in a
 * write, or the controller is stopping.
 */
import { silentLogger } from '@capd/log'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { bootstrap } from '../auth/bootstrap.js'
import { manualClock } from '../clock.js'
import { runController } from '../controller.js'
import type { DomainEnv } from '../domain/env.js'
import { emptyData } from '../store/data.js'
import { DocumentStore, type Persistence } from '../store/document-store.js'
import type { Store, StoreHealth } from '../store/store.js'
import { TEST_TOKEN } from '../testing/test-app.js'
import { FatalGate } from './fatal-gate.js'
import { Readiness, STALLED_WRITE_MS } from './readiness.js'

const env: DomainEnv = {
  clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
  timeZone: 'UTC',
  currency: 'USD',
  idempotencyTtlMs: 3600_000,
}

async function readyz(fetchFrom: (path: string) => Promise<Response>) {
  const res = await fetchFrom('/readyz')
  return {
    status: res.status,
    body: (await res.json()) as { ready: boolean; error?: { code: string; message: string } },
  }
}

/** A store whose health is whatever the test says; everything else is a working in-memory store. */
function storeWithHealth(health: () => StoreHealth): Store {
  const store = new DocumentStore(emptyData(), null)
  return Object.assign(Object.create(store) as Store, { health })
}

describe('/readyz', () => {
  it('is 200 on a working store, 503 "stopping" once told to stop, and 503 on a closed store', async () => {
    const store = new DocumentStore(emptyData(), null)
    const readiness = new Readiness(store)
    const app = createApp({ store, env, isAgentConnected: () => false }, { readiness })
    const get = async (path: string) => app.request(path)
    expect(await readyz(get)).toEqual({ status: 200, body: { ready: true } })
    // Alive is not ready: /healthz still says ok.
    readiness.stop()
    expect(await readyz(get)).toMatchObject({
      status: 503,
      body: { ready: false, error: { code: 'stopping' } },
    })
    expect((await app.request('/healthz')).status).toBe(200)

    const other = new DocumentStore(emptyData(), null)
    const plain = createApp({ store: other, env, isAgentConnected: () => false })
    expect((await readyz(async (p) => plain.request(p))).status).toBe(200)
    await other.close()
    expect(await readyz(async (p) => plain.request(p))).toMatchObject({
      status: 503,
      body: { error: { code: 'store_unavailable' } },
    })
  })

  it('is 503 "store_failed" from the failed write on, over real HTTP, before the process exits', async () => {
    const broken = { fail: false }
    const persistence: Persistence = {
      append: async () => {
        if (broken.fail) throw new Error('EIO: i/o error, write /var/lib/capd/capd.wal')
      },
      wantsSnapshot: () => false,
      snapshot: async () => {},
      logSize: () => 0,
      keepLogFrom: async () => {},
      close: async () => {},
    }
    const store = new DocumentStore(emptyData(), persistence)
    await bootstrap(store, env, { bootstrapToken: TEST_TOKEN })
    const controller = await runController({
      store,
      env,
      logger: silentLogger,
      port: 0,
      host: '127.0.0.1',
      fatalGraceMs: 60_000,
    })
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${controller.port}${path}`)
      expect(await readyz(get)).toEqual({ status: 200, body: { ready: true } })
      broken.fail = true
      const write = await fetch(`http://127.0.0.1:${controller.port}/api/v1/plans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Basic', capBytes: 1e9, onCap: 'block' }),
      })
      expect(write.status).toBe(503)
      const after = await readyz(get)
      expect(after).toMatchObject({ status: 503, body: { ready: false, error: { code: 'store_failed' } } })
      // The probe is unauthenticated: the failure's errno and path stay in the log.
      expect(JSON.stringify(after.body)).not.toMatch(/EIO|capd\.wal/)
      expect(after.body.error?.message).toMatch(/can no longer write/)
    } finally {
      await controller.stop().catch(() => {})
    }
  })

  it('takes the fatal gate into account even without the controller around it', async () => {
    const store = new DocumentStore(emptyData(), null)
    const fatal = new FatalGate()
    const app = createApp({ store, env, isAgentConnected: () => false }, { fatal })
    fatal.trip(new Error('disk gone'))
    expect(await readyz(async (p) => app.request(p))).toMatchObject({
      status: 503,
      body: { error: { code: 'store_failed' } },
    })
  })

  it('answers at once while a transaction holds the store (an import), and is ready again after', async () => {
    const store = new DocumentStore(emptyData(), null)
    const app = createApp({ store, env, isAgentConnected: () => false })
    let finish = () => {}
    const held = new Promise<void>((resolve) => {
      finish = resolve
    })
    let started = () => {}
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const transaction = store.transact(async () => {
      started()
      await held
    })
    await running
    // Through the store's lock, this probe would wait for `held`, which only resolves below.
    expect(await readyz(async (p) => app.request(p))).toEqual({ status: 200, body: { ready: true } })
    finish()
    await transaction
    expect((await readyz(async (p) => app.request(p))).status).toBe(200)
  })

  it('is 503 "store_failed" from the store itself, without a fatal gate', async () => {
    const store = storeWithHealth(() => ({ state: 'failed', writingMs: 0 }))
    const app = createApp({ store, env, isAgentConnected: () => false })
    expect(await readyz(async (p) => app.request(p))).toMatchObject({
      status: 503,
      body: { error: { code: 'store_failed' } },
    })
  })

  it('is 503 "store_stalled" while a durable write runs past the limit, and ready when it ends', async () => {
    const health: StoreHealth = { state: 'open', writingMs: STALLED_WRITE_MS }
    const app = createApp({ store: storeWithHealth(() => health), env, isAgentConnected: () => false })
    const get = async (p: string) => app.request(p)
    expect((await readyz(get)).status).toBe(200)
    health.writingMs = STALLED_WRITE_MS + 1
    expect(await readyz(get)).toMatchObject({ status: 503, body: { error: { code: 'store_stalled' } } })
    health.writingMs = 0
    expect((await readyz(get)).status).toBe(200)
  })
})
