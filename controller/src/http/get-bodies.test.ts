/**
 * GET and HEAD take no body: on the real server a body sent with one (chunked, 1 MiB) is never
 * handed to the app, so every GET route, walked from `app.routes`, answers as it would without it.
 */
import { request } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { TEST_ADMIN_PASSWORD, TEST_TOKEN, testApp } from '../testing/test-app.js'

const MiB = 1024 * 1024

/** Status of a GET to the real server, with `bodyBytes` of chunked body; streams are cut after their headers. */
function get(
  port: number,
  path: string,
  headers: Record<string, string>,
  bodyBytes: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      resolve(res.statusCode ?? 0)
      res.destroy()
      req.destroy()
    })
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)))
    if (bodyBytes > 0) {
      req.setHeader('transfer-encoding', 'chunked')
      const chunk = Buffer.alloc(16 * 1024, 0x61)
      for (let sent = 0; sent < bodyBytes; sent += chunk.length) req.write(chunk)
    }
    req.end()
  })
}

const concrete = (pattern: string) =>
  pattern.replace(/:[A-Za-z_]+(\{[^}]*\})?\??/g, 'walker-id').replace(/\*/g, 'walker')

describe('bodies sent with GET', () => {
  it('are ignored by every GET route, which answers as it would without one', async () => {
    const t = await testApp()
    const server = await t.serve()
    onTestFinished(() => server.close())
    const operator = new BrowserCaller(t.app)
    await operator.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })
    const paths = [
      ...new Set(
        t.app.routes.filter((r) => r.method === 'GET' || r.method === 'ALL').map((r) => concrete(r.path)),
      ),
    ]
    expect(paths.length).toBeGreaterThan(30)
    const who = {
      anonymous: {},
      'logged in': {
        authorization: `Bearer ${TEST_TOKEN}`,
        cookie: `capd_session=${operator.cookies.get('capd_session')}`,
      },
    }
    const differences: string[] = []
    for (const path of paths) {
      for (const [name, headers] of Object.entries(who)) {
        const without = await get(server.port, path, headers, 0)
        const withBody = await get(server.port, path, headers, MiB)
        if (withBody !== without || withBody === 413 || withBody >= 500) {
          differences.push(`GET ${path} (${name}): ${without} without a body, ${withBody} with one`)
        }
      }
    }
    expect(differences).toEqual([])
  }, 120_000)
})
