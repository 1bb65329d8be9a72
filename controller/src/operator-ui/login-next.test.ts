import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../testing/test-app.js'
import { safeNext } from './login-routes.js'

const ADMIN = { username: 'admin', password: TEST_ADMIN_PASSWORD }

/** Inputs browsers or URL parsers have been known to read as another site, or that break headers. */
const NASTY = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/x',
  '/\r\nSet-Cookie: a=b',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '//evil.example',
  '///evil.example',
  '/.//evil.example',
  '/./\\evil.example',
  '/%2f%2fevil.example',
  '/%5cevil.example',
  ' //evil.example',
  '\u0000//evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,hi',
  'http://evil.example',
  'https:evil.example',
  'http:/evil.example',
  '/\u3002evil.example',
  '/\uff0f\uff0fevil.example',
  '/\u202e/evil',
  '/\ud800',
  '/?next=//evil',
  '/#//evil',
  '',
]

/** A redirect target that every browser resolves to this site, and that fits in a header. */
function expectSameOrigin(location: string) {
  expect(location).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/)
  expect(new URL(location, 'http://localhost').origin).toBe('http://localhost')
}

/** A lone surrogate cannot be encoded: send the bytes a browser would never send instead. */
const encodeQuery = (s: string) => {
  try {
    return encodeURIComponent(s)
  } catch {
    return '%ED%A0%80%ff'
  }
}

const randomNext = (random: () => number) => {
  const parts = [
    '/',
    '\\',
    '\t',
    '\n',
    '\r',
    '.',
    '%2f',
    '%5c',
    '%0d%0a',
    ':',
    'evil.example',
    '?',
    '#',
    '\u202e',
    '@',
    'a',
    ' ',
  ]
  let out = ''
  for (let n = 1 + Math.floor(random() * 8); n > 0; n--) out += parts[Math.floor(random() * parts.length)]
  return out
}

const mulberry32 = (seed: number) => seededRandom(seed).next

describe('where the operator login sends the browser next', () => {
  it.each(NASTY)('keeps %j on this site', (next) => {
    expectSameOrigin(safeNext(next))
  })

  it('keeps a path, its query and its fragment', () => {
    expect(safeNext('/subscribers/s1?q=al#usage')).toBe('/subscribers/s1?q=al#usage')
    expect(safeNext('/events')).toBe('/events')
  })

  it('answers every nasty next of the login form with a same-site redirect, never a 500', async () => {
    const t = await testApp()
    const random = mulberry32(9)
    const inputs = [...NASTY, ...Array.from({ length: 20 }, () => randomNext(random))]
    for (const next of inputs) {
      const browser = new BrowserCaller(t.app)
      const query = `?next=${encodeQuery(next)}`
      const page = await browser.get(`/login${query}`)
      expect(page.status, `GET /login${query}`).toBe(200)
      const login = await browser.post(`/login${query}`, ADMIN)
      expect(login.status, `POST /login${query}`).toBe(303)
      expectSameOrigin(login.location!)
    }
  }, 60_000)
})
