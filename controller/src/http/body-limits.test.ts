/**
 * Every route of the app, walked from `app.routes` (a new route is walked without being listed
 * here): an over-limit body is refused with 413 before anything reads more than the limit, with
 * and without credentials, streamed with no length or with a length that lies.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { BrowserCaller, csrfFrom } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, TEST_TOKEN, testApp } from '../testing/test-app.js'
import {
  DEFAULT_BODY_LIMIT_BYTES,
  IMPORT_BODY_LIMIT_BYTES,
  IMPORT_PATH,
  LOGIN_BODY_LIMIT_BYTES,
  LOGO_BODY_LIMIT_BYTES,
  LOGO_UPLOAD_PATHS,
} from './body-cap.js'

const MiB = 1024 * 1024
const CHUNK_BYTES = 16 * 1024

/** The login forms documented with a smaller limit than the app's. */
const LOGIN_DOORS = ['/login', '/portal/login', '/portal/api/login']
/** The customer portal's own smaller limit (its API and its forms). */
const PORTAL_LIMIT_BYTES = 16 * 1024

/** `global.gc` without a command-line flag, so heap figures are taken after a full collection. */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** A body that comes chunk by chunk and counts what the server pulled from it. */
function countedBody(totalBytes: number, prefix = '') {
  const head = new TextEncoder().encode(prefix)
  let sent = 0
  const stats = { pulledBytes: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= totalBytes) return controller.close()
        const size = Math.min(CHUNK_BYTES, totalBytes - sent)
        const chunk = new Uint8Array(size).fill(0x61)
        if (sent === 0) chunk.set(head.subarray(0, size))
        sent += size
        stats.pulledBytes = sent
        controller.enqueue(chunk)
      },
      cancel() {
        stats.cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, stats }
}

/** A concrete path for a route pattern: `:id` and `*` become plain segments. */
const concrete = (pattern: string) =>
  pattern.replace(/:[A-Za-z_]+(\{[^}]*\})?\??/g, 'walker-id').replace(/\*/g, 'walker')

/** Every (method, path) the app answers with a handler or middleware that may take a body. */
function bodyRoutes(routes: readonly { method: string; path: string }[]) {
  const seen = new Map<string, { method: string; path: string }>()
  for (const route of routes) {
    // A GET or HEAD request carries no body the app can read (fetch refuses to build one; the node
    // server never passes one on); every other method is sent, and ALL as each of them.
    const methods = route.method === 'ALL' ? ['POST', 'PUT', 'PATCH', 'DELETE'] : [route.method]
    for (const method of methods) {
      if (method === 'GET' || method === 'HEAD') continue
      const path = concrete(route.path)
      seen.set(`${method} ${path}`, { method, path })
    }
  }
  return [...seen.values()]
}

async function setup() {
  const t = await testApp()
  const { plan, agent } = await t.seed()
  const carla = await t.call('POST', '/subscribers', {
    name: 'Carla',
    login: 'carla',
    password: 'carla-secret-1',
    planId: plan.id,
    agentId: agent.id,
    address: '10.0.0.9',
  })
  expect(carla.status).toBe(201)
  const operator = new BrowserCaller(t.app)
  expect((await operator.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })).status).toBe(
    303,
  )
  const operatorCsrf = csrfFrom((await operator.get('/subscribers/new')).html)
  const portalLogin = await t.app.request(
    new Request('http://localhost/portal/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'carla', password: 'carla-secret-1' }),
    }),
  )
  expect(portalLogin.status).toBe(200)
  const portalCookie = /capd_portal=([^;]+)/.exec(portalLogin.headers.get('set-cookie')!)![1]!
  const portalCsrf = ((await portalLogin.json()) as { csrfToken: string }).csrfToken
  /** Everything a logged-in operator, API client and customer would send at once. */
  const credentials = {
    authorization: `Bearer ${TEST_TOKEN}`,
    cookie: `capd_session=${operator.cookies.get('capd_session')}; capd_portal=${portalCookie}`,
    'x-csrf-token': portalCsrf,
  }
  // The forms' CSRF field leads the body, so a form route gets as far as it would for a real post.
  const formPrefix = (path: string) =>
    `_csrf=${encodeURIComponent(path.startsWith('/portal') ? portalCsrf : operatorCsrf)}&x=`
  return { ...t, credentials, formPrefix }
}

type Framing = 'streamed' | 'lying-short' | 'lying-long'

async function send(
  app: Awaited<ReturnType<typeof setup>>['app'],
  route: { method: string; path: string },
  headers: Record<string, string>,
  framing: Framing,
  totalBytes: number,
  prefix: string,
) {
  const { stream, stats } = countedBody(totalBytes, prefix)
  const lengths: Record<Framing, Record<string, string>> = {
    streamed: {},
    'lying-short': { 'content-length': '100' },
    'lying-long': { 'content-length': String(4 * totalBytes) },
  }
  const request = new Request(`http://localhost${route.path}`, {
    method: route.method,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, ...lengths[framing] },
    body: stream,
    duplex: 'half',
  } as RequestInit)
  const env = { incoming: { socket: { remoteAddress: '198.51.100.20' } } }
  const res = await app.request(request, undefined, env)
  await res.body?.cancel()
  return { status: res.status, stats }
}

describe('body limits on every route', () => {
  it('walks more than the routes it was written with', async () => {
    const { app } = await setup()
    const routes = bodyRoutes(app.routes)
    expect(routes.length).toBeGreaterThan(40)
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /login', 'POST /portal/api/topups', 'POST /api/v1/subscribers']),
    )
  })

  it('answers 413 to a 1 MiB body on every route, reading no more than the limit, without growing the heap', async () => {
    const gc = collector()
    const t = await setup()
    const routes = bodyRoutes(t.app.routes)
    gc()
    const heapBeforeBytes = process.memoryUsage().heapUsed
    const failures: string[] = []
    for (const route of routes) {
      for (const [who, headers] of [
        ['anonymous', {}],
        ['logged in', t.credentials],
      ] as const) {
        // The import takes more, and reads nothing before the token is known (see body-cap.ts).
        const imports = route.path === IMPORT_PATH
        for (const framing of ['streamed', 'lying-short', 'lying-long'] as const) {
          const limitBytes = (LOGO_UPLOAD_PATHS as readonly string[]).includes(route.path)
            ? LOGO_BODY_LIMIT_BYTES
            : imports
              ? who === 'anonymous'
                ? 0
                : IMPORT_BODY_LIMIT_BYTES
              : DEFAULT_BODY_LIMIT_BYTES
          const bodyBytes = Math.max(MiB, limitBytes + MiB)
          const { status, stats } = await send(
            t.app,
            route,
            headers,
            framing,
            bodyBytes,
            t.formPrefix(route.path),
          )
          const what = `${route.method} ${route.path} (${who}, ${framing})`
          const refusal = imports && who === 'anonymous' ? 401 : 413
          if (status !== refusal) failures.push(`${what}: ${status}`)
          if (stats.pulledBytes > limitBytes + 2 * CHUNK_BYTES) {
            failures.push(`${what}: read ${stats.pulledBytes} bytes`)
          }
        }
      }
    }
    expect(failures).toEqual([])
    gc()
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapBeforeBytes
    expect(heapGrowthBytes).toBeLessThan(4 * MiB)
  }, 120_000)

  it.each(LOGIN_DOORS)('refuses a login body one byte over its smaller limit at %s', async (path) => {
    const t = await setup()
    const route = { method: 'POST', path }
    const over = await send(t.app, route, {}, 'streamed', LOGIN_BODY_LIMIT_BYTES + 1, 'username=a&x=')
    expect(over.status).toBe(413)
    expect(over.stats.pulledBytes).toBeLessThanOrEqual(LOGIN_BODY_LIMIT_BYTES + 1)
    const at = await send(t.app, route, {}, 'streamed', LOGIN_BODY_LIMIT_BYTES, 'username=a&x=')
    expect(at.status).not.toBe(413)
  })

  it.each(['/portal/api/topups', '/portal/topups'])(
    'holds the portal to its 16 KiB even when Content-Length lies (%s)',
    async (path) => {
      const t = await setup()
      const route = { method: 'POST', path }
      const over = await send(
        t.app,
        route,
        t.credentials,
        'lying-short',
        PORTAL_LIMIT_BYTES + 1,
        t.formPrefix(path),
      )
      expect(over.status).toBe(413)
      expect(over.stats.pulledBytes).toBeLessThanOrEqual(PORTAL_LIMIT_BYTES + CHUNK_BYTES)
    },
  )

  it('changes nothing when it refuses', async () => {
    const t = await setup()
    const before = t.snapshot()
    for (const route of bodyRoutes(t.app.routes)) {
      await send(t.app, route, t.credentials, 'lying-short', MiB, t.formPrefix(route.path))
    }
    expect(t.snapshot()).toBe(before)
  }, 60_000)
})
