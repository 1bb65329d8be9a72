/** Two (or more) in-process controllers on one throw-away PostgreSQL database, for multi-controller tests. */
import { silentLogger } from '@capd/log'
import { bootstrap } from '../auth/bootstrap.js'
import { manualClock } from '../clock.js'
import { type RunningController, runController } from '../controller.js'
import type { DomainEnv } from '../domain/env.js'
import { openPgStore } from '../store/postgres/open-pg-store.js'
import type { PgStore } from '../store/postgres/pg-store.js'
import { createTestDatabase, type TestDatabase } from './pg-database.js'

export const PG_ADMIN_TOKEN = 'pg-controllers-admin-token-0123456789abcdef'
/** The `admin` user's password for the operator UI. */
export const PG_ADMIN_PASSWORD = 'pg-controllers-admin-password-1'

export interface PgController {
  readonly store: PgStore
  readonly running: RunningController
  /** Its clock is shared by every controller of the fixture. */
  readonly env: DomainEnv & { clock: ReturnType<typeof manualClock> }
  readonly baseUrl: string
  readonly wsUrl: string
  /** An operator API call with the admin token; the JSON answer. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in tests
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
}

export async function pgControllers(
  count: number,
  options: { presenceStaleMs?: number; agentOfflineMinutes?: number } = {},
): Promise<{ db: TestDatabase; controllers: PgController[]; end(): Promise<void> }> {
  const db = await createTestDatabase()
  const controllers: PgController[] = []
  // One clock for all: controllers on one database must agree on the time, as NTP makes them.
  const clock = manualClock(Date.now())
  const end = async () => {
    for (const c of controllers) await c.running.stop().catch(() => {})
    await db.drop()
  }
  try {
    for (let i = 0; i < count; i++) {
      const store = await openPgStore({
        url: db.url,
        max: 4,
        ...(options.presenceStaleMs ? { presenceStaleMs: options.presenceStaleMs } : {}),
      })
      const env = {
        clock,
        timeZone: 'UTC',
        currency: 'USD',
        idempotencyTtlMs: 24 * 3600_000,
      }
      if (i === 0)
        await bootstrap(store, env, { bootstrapToken: PG_ADMIN_TOKEN, adminPassword: PG_ADMIN_PASSWORD })
      const running = await runController({
        store,
        env,
        logger: silentLogger,
        port: 0,
        host: '127.0.0.1',
        agentOfflineMinutes: options.agentOfflineMinutes ?? 0,
      })
      const baseUrl = `http://127.0.0.1:${running.port}`
      controllers.push({
        store,
        running,
        env,
        baseUrl,
        wsUrl: `ws://127.0.0.1:${running.port}/agent/v1/ws`,
        async call(method, path, body) {
          const res = await fetch(`${baseUrl}/api/v1${path}`, {
            method,
            headers: { authorization: `Bearer ${PG_ADMIN_TOKEN}`, 'content-type': 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          })
          const text = await res.text()
          return { status: res.status, body: text ? JSON.parse(text) : undefined }
        },
      })
    }
    return { db, controllers, end }
  } catch (err) {
    await end()
    throw err
  }
}
