/**
 * What the server-rendered pages cost against the JSON API answering the same question, in the
 * same process on the same store: the subscribers list (50 rows), one subscriber, the customer's
 * home page, and the dashboard (one pass over every subscriber) against a bare pass that only
 * reads every subscriber row. In-process `app.request`, so the figures are render and lookup cost.
 */
import type { Hono } from 'hono'
import { createApp } from '../controller/src/app.js'
import { bootstrap } from '../controller/src/auth/bootstrap.js'
import { hashPassword } from '../controller/src/auth/passwords.js'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { emptyData } from '../controller/src/store/data.js'
import { DocumentStore } from '../controller/src/store/document-store.js'
import { positiveInt, positiveInts } from './config.js'
import { seedSubscribers } from './seed.js'
import { median } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const TOKEN = 'bench-ui-admin-token-0123456789abcdef'
const PASSWORD = 'bench-ui-password'
const GB = 1e9

export async function uiPages(): Promise<void> {
  const counts = positiveInts('BENCH_UI_SUBSCRIBERS', [1_000, 10_000])
  const rounds = positiveInt('BENCH_UI_ROUNDS', 100)
  console.log(`\nUI pages vs the JSON API on the same store (median of ${rounds} in-process requests)`)
  const rows: (string | number)[][] = []
  for (const count of counts) {
    const { time, scan } = await setUp(count)
    const pairs: [string, string, () => Promise<unknown>, () => Promise<unknown>][] = [
      [
        'subscribers list, 50 rows',
        'GET /api/v1/subscribers?limit=50',
        time.page('/subscribers'),
        time.api('/api/v1/subscribers?limit=50'),
      ],
      [
        'subscriber page',
        'GET /api/v1/subscribers/:id',
        time.page(`/subscribers/${time.someId}`),
        time.api(`/api/v1/subscribers/${time.someId}`),
      ],
      ['portal home', 'GET /portal/api/me', time.portal('/portal'), time.portal('/portal/api/me')],
      ['dashboard', 'bare pass reading every row', time.page('/'), scan],
    ]
    for (const [what, baseline, page, base] of pairs) {
      const pageMs = await medianMs(page, rounds)
      const baseMs = await medianMs(base, rounds)
      rows.push([
        `${what} @ ${count}`,
        formatNumber(pageMs, 2),
        baseline,
        formatNumber(baseMs, 2),
        ratio(pageMs, baseMs),
      ])
    }
  }
  printTable(['page @ subscribers', 'page ms', 'baseline', 'baseline ms', 'ratio'], rows)
}

async function medianMs(run: () => Promise<unknown>, rounds: number): Promise<number> {
  for (let i = 0; i < Math.min(10, rounds); i++) await run()
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const started = performance.now()
    await run()
    samples.push(performance.now() - started)
  }
  return median(samples)
}

async function setUp(count: number) {
  const store = new DocumentStore(emptyData(), null)
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: 'UTC',
    currency: 'USD',
    idempotencyTtlMs: 86_400_000,
  }
  await bootstrap(store, env, { bootstrapToken: TOKEN, adminPassword: PASSWORD })
  const ids = await seedSubscribers(store, count, env.clock.now())
  const customerHash = await hashPassword(PASSWORD)
  // Usage spread over 0–120 % of the 100 GB cap, those over it blocked: the dashboard has work.
  await store.transact(async (tx) => {
    for (const [i, id] of ids.entries()) {
      const sub = (await tx.subscribers.get(id))!
      const usedBytes = ((i * 7919) % 1200) * 0.1 * GB
      await tx.subscribers.update({
        ...sub,
        usedBytes,
        state: usedBytes >= 100 * GB ? 'blocked' : 'open',
        ...(i === 0 ? { passwordHash: customerHash } : {}),
      })
    }
  })
  const app: Hono = createApp({ store, env, isAgentConnected: () => true })
  const operatorCookie = await cookieFrom(
    app,
    '/login',
    new URLSearchParams({ username: 'admin', password: PASSWORD }),
  )
  const portalCookie = await cookieFrom(
    app,
    '/portal/api/login',
    JSON.stringify({ login: 'sub0', password: PASSWORD }),
  )
  const get = (path: string, headers: Record<string, string>) => async () => {
    const res = await app.request(path, { headers })
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
    await res.text()
  }
  const time = {
    someId: ids[Math.floor(ids.length / 2)]!,
    page: (path: string) => get(path, { cookie: operatorCookie, accept: 'text/html' }),
    api: (path: string) => get(path, { authorization: `Bearer ${TOKEN}` }),
    portal: (path: string) => get(path, { cookie: portalCookie, accept: 'text/html' }),
  }
  // The floor for the dashboard: one pass reading every subscriber row, nothing computed.
  const scan = () =>
    store.peek(async (tx) => {
      let used = 0
      for (const sub of await tx.subscribers.list()) used += sub.usedBytes
      return used
    })
  return { time, scan }
}

async function cookieFrom(app: Hono, path: string, body: string | URLSearchParams): Promise<string> {
  const json = typeof body === 'string'
  const res = await app.request(path, {
    method: 'POST',
    body,
    headers: json
      ? { 'content-type': 'application/json' }
      : { 'content-type': 'application/x-www-form-urlencoded' },
  })
  const cookie = res.headers.get('set-cookie')?.split(';')[0]
  if (!cookie) throw new Error(`login at ${path} failed: ${res.status} ${await res.text()}`)
  return cookie
}

if (import.meta.url === `file://${process.argv[1]}`) await uiPages()
