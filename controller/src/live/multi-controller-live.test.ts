import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgSkipReason } from '../store/postgres/pg-test-kit.js'
import { PG_ADMIN_PASSWORD, type PgController, pgControllers } from '../testing/pg-controllers.js'

const skip = await pgSkipReason()

/** Logs the admin in to `c`'s operator UI; the session cookie. */
async function login(c: PgController): Promise<string> {
  const res = await fetch(`${c.baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ username: 'admin', password: PG_ADMIN_PASSWORD }).toString(),
  })
  expect(res.status).toBe(303)
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith('capd_session='))!
    .split(';')[0]!
}

/** The operator pages' event stream on `c`, its event names as they arrive. */
async function openEvents(c: PgController, cookie: string) {
  const abort = new AbortController()
  const res = await fetch(`${c.baseUrl}/events`, { headers: { cookie }, signal: abort.signal })
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const events: string[] = []
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      for (const match of value!.matchAll(/^event: (\w+)$/gm)) events.push(match[1]!)
    }
  })()
  return { events, close: () => abort.abort() }
}

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

describe.skipIf(skip !== undefined)(
  `live pages on several controllers${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let fixture: Awaited<ReturnType<typeof pgControllers>>
    let a: PgController
    let b: PgController
    beforeAll(async () => {
      fixture = await pgControllers(2)
      ;[a, b] = fixture.controllers as [PgController, PgController]
    })
    afterAll(() => fixture?.end())

    it('a top-up posted to B reaches the live page served by A, and only after its commit', {
      timeout: 20_000,
    }, async () => {
      const plan = (await b.call('POST', '/plans', { name: 'p', capBytes: 1e9, onCap: 'block' })).body
      const agent = (await b.call('POST', '/agents', { name: 't' })).body
      const sub = (
        await b.call('POST', '/subscribers', {
          name: 'n',
          login: 'n1',
          planId: plan.id,
          agentId: agent.id,
          address: '10.9.0.1',
        })
      ).body
      const stream = await openEvents(a, await login(a))
      try {
        await until('ready', () => stream.events.includes('ready'))
        // Whatever the setup above still announces has passed (one event per second at most).
        await new Promise((r) => setTimeout(r, 1200))
        const before = stream.events.filter((e) => e === 'change').length
        // A refused top-up commits nothing: no event.
        const refused = await b.call('POST', `/subscribers/${sub.id}/topups`, { bytes: -1 })
        expect(refused.status).toBe(400)
        await new Promise((r) => setTimeout(r, 1200))
        expect(stream.events.filter((e) => e === 'change').length).toBe(before)
        const body = { bytes: 1e9, price: { amount: 100, currency: 'USD' } }
        expect((await b.call('POST', `/subscribers/${sub.id}/topups`, body)).status).toBe(201)
        await until('a change event on A', () => stream.events.filter((e) => e === 'change').length > before)
        // A's own view agrees: the page it would reload shows the top-up.
        expect((await a.call('GET', `/subscribers/${sub.id}`)).body.usage.limitBytes).toBe(2e9)
      } finally {
        stream.close()
      }
    })
  },
)
