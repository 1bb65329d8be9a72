import { describe, expect, it } from 'vitest'
import { bookUsageHistory } from '../domain/usage-history.js'
import { pagesKit } from '../portal-ui/portal-pages-test-kit.js'
import { TEST_TOKEN, testApp } from '../testing/test-app.js'

const HOUR = 3_600_000

/** RFC 4180 as a spreadsheet reads it: CRLF lines, plain cells (no quoted ones here). */
function rows(csv: string): string[][] {
  expect(csv.endsWith('\r\n')).toBe(true)
  return csv
    .slice(0, -2)
    .split('\r\n')
    .map((line) => line.split(','))
}

async function fixture() {
  const nowMs = Date.parse('2026-03-30T09:30:00Z')
  const t = await testApp({ nowMs, timeZone: 'Europe/Berlin' })
  const { subscriber } = await t.seed()
  const get = async (path: string) => {
    const res = await t.app.request(
      new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }),
    )
    return { status: res.status, headers: res.headers, text: await res.text() }
  }
  return { ...t, subscriber, nowMs, get }
}

describe('GET /subscribers/:id/usage.csv', () => {
  it('gives every day of the range with counted download and upload, and the hours of a DST day', async () => {
    const f = await fixture()
    const rnd = (() => {
      let s = 7
      return () => {
        s = (s * 1103515245 + 12345) % 2 ** 31
        return s / 2 ** 31
      }
    })()
    // Random usage over the four days around the spring change (29 March has 23 hours in Berlin).
    const entries = Array.from({ length: 300 }, () => ({
      subscriberId: f.subscriber.id,
      down: Math.floor(rnd() * 1e7),
      up: Math.floor(rnd() * 1e6),
      atMs: Date.parse('2026-03-27T00:00:00Z') + Math.floor(rnd() * 3.3 * 24 * HOUR),
    }))
    await f.store.transact((tx) => bookUsageHistory(tx, f.env, entries))

    const daily = await f.get(`/subscribers/${f.subscriber.id}/usage.csv?from=2026-03-26&to=2026-03-30`)
    expect(daily.status).toBe(200)
    expect(daily.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(daily.headers.get('content-disposition')).toContain('capd-usage-day-2026-03-26-2026-03-30.csv')
    const dayRows = rows(daily.text)
    expect(dayRows[0]).toEqual(['day', 'download_bytes', 'upload_bytes', 'total_bytes'])
    expect(dayRows.slice(1).map((r) => r[0])).toEqual([
      '2026-03-26',
      '2026-03-27',
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
    ])
    const local = (ms: number) => new Date(ms).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' })
    for (const [day, down, up, total] of dayRows.slice(1)) {
      const of = entries.filter((e) => local(e.atMs) === day)
      expect(Number(down)).toBe(of.reduce((a, e) => a + e.down, 0))
      expect(Number(up)).toBe(of.reduce((a, e) => a + e.up, 0))
      expect(Number(total)).toBe(Number(down) + Number(up))
    }

    const hourly = await f.get(
      `/subscribers/${f.subscriber.id}/usage.csv?from=2026-03-29&to=2026-03-29&granularity=hour`,
    )
    const hourRows = rows(hourly.text)
    expect(hourRows[0]).toEqual([
      'hour_start',
      'day',
      'local_time',
      'download_bytes',
      'upload_bytes',
      'total_bytes',
    ])
    expect(hourRows).toHaveLength(1 + 23)
    // 02:00 never happens that day: 01:00 is followed by 03:00.
    expect(hourRows.slice(1).map((r) => r[2])).not.toContain('02:00')
    for (const [start, , , down] of hourRows.slice(1)) {
      const from = Date.parse(start!)
      const of = entries.filter((e) => e.atMs >= from && e.atMs < from + HOUR)
      expect(Number(down)).toBe(of.reduce((a, e) => a + e.down, 0))
    }
  })

  it('refuses a bad query with a clear 400 and an unknown subscriber with 404', async () => {
    const f = await fixture()
    const id = f.subscriber.id
    for (const [query, says] of [
      ['from=2026-02-30', 'from: is not a calendar date'],
      ['from=yesterday', 'from: must be a date YYYY-MM-DD'],
      ['granularity=minute', 'granularity'],
      ['from=2026-03-10&to=2026-03-01', 'to: must not be before from'],
      ['from=2025-01-01&to=2026-03-01', 'covers at most 401 days'],
      ['from=2026-02-01&to=2026-03-30&granularity=hour', 'covers at most 36 days'],
      ['since=2026-01-01', 'since'],
    ] as const) {
      const reply = await f.get(`/subscribers/${id}/usage.csv?${query}`)
      expect(reply.status, query).toBe(400)
      expect(JSON.parse(reply.text).error.message, query).toContain(says)
    }
    expect((await f.get('/subscribers/nope/usage.csv')).status).toBe(404)
  })

  it('writes numbers and dates only: no cell a spreadsheet would run as a formula', async () => {
    const f = await fixture()
    await f.store.transact((tx) =>
      bookUsageHistory(tx, f.env, [{ subscriberId: f.subscriber.id, down: 5, up: 0, atMs: f.nowMs - HOUR }]),
    )
    const csv = (await f.get(`/subscribers/${f.subscriber.id}/usage.csv?granularity=hour`)).text
    expect(csv).not.toMatch(/(^|,)[=+\-@]/m)
    expect(csv).toContain(',5,0,5\r\n')
  })
})

describe('portal usage CSV', () => {
  it("gives a customer their own history only, and nobody's without a session", async () => {
    const k = await pagesKit()
    const at = k.clock.now() - HOUR
    await k.store.transact((tx) =>
      bookUsageHistory(tx, k.env, [
        { subscriberId: k.anna.id, down: 111, up: 11, atMs: at },
        { subscriberId: k.ben.id, down: 999, up: 99, atMs: at },
      ]),
    )
    const anna = await k.browserFor({ login: 'anna', password: 'anna-secret-1' })
    const own = await anna.get('/portal/usage.csv?granularity=hour')
    expect(own.status).toBe(200)
    expect(own.html).toContain(',111,11,122\r\n')
    expect(own.html).not.toContain('999')
    // No id to swap: a query naming Ben is refused, not obeyed.
    expect((await anna.get(`/portal/usage.csv?subscriberId=${k.ben.id}`)).status).toBe(400)
    const { cookie } = await k.login({ login: 'anna', password: 'anna-secret-1' })
    const res = await k.app.request(
      new Request('http://localhost/portal/api/usage.csv?granularity=hour', { headers: { cookie } }),
    )
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain(',111,11,122\r\n')
    expect(text).not.toContain('999')
    const anonymous = await k.app.request(new Request('http://localhost/portal/api/usage.csv'))
    expect(anonymous.status).toBe(401)
    const visitor = await k.app.request(
      new Request('http://localhost/portal/usage.csv', { headers: { accept: 'text/html' } }),
    )
    expect(visitor.status).toBe(303)
  })
})
