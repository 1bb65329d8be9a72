/**
 * `pnpm demo` as a newcomer runs it: the controller, the agent child and the sample data come up,
 * the UI and the portal answer, and the logins the demo prints work. Ctrl-C stops everything.
 */
import type { ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { killAll, startTsxProcess, type TsxProcess } from './support/tsx-process.js'
import { freePort } from './support/wait-for.js'

const live = new Set<ChildProcess>()
afterAll(() => killAll(live))

/** Pids of processes whose command line contains `text`. */
async function processesWith(text: string): Promise<string[]> {
  const found: string[] = []
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').includes(text)) found.push(pid)
  }
  return found
}

describe('pnpm demo', () => {
  let demo: TsxProcess
  let base: string

  it('starts, prints the URLs and logins, and serves the operator UI and the portal', async () => {
    const port = await freePort()
    const startedAt = Date.now()
    demo = await startTsxProcess({
      script: 'controller/src/demo.ts',
      args: [],
      env: { PORT: String(port) },
      ready: /Ctrl-C stops the demo\./,
      what: 'demo',
      timeoutMs: 60_000,
      live,
    })
    base = `http://localhost:${port}`
    const out = demo.output()
    const admin = /Operator UI\s+\S+\s+login admin \/ (\S+)/.exec(out)?.[1]
    const alice = /Customer portal\s+\S+\s+login alice \/ (\S+)/.exec(out)?.[1]
    expect(admin, out).toBeDefined()
    expect(alice, out).toBeDefined()

    const login = await fetch(`${base}/login`)
    expect(login.status).toBe(200)
    expect(await login.text()).toContain('capd operator login')
    const session = await fetch(`${base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'admin', password: admin! }),
      redirect: 'manual',
    })
    expect(session.status).toBe(303)
    const cookie = session.headers.getSetCookie()[0]!.split(';')[0]!
    const dashboard = await fetch(`${base}/`, { headers: { cookie, accept: 'text/html' } })
    expect(dashboard.status).toBe(200)
    expect(await dashboard.text()).toContain('Dashboard')

    const portal = await fetch(`${base}/portal/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'alice', password: alice }),
    })
    expect(portal.status).toBe(200)
    console.log(`demo answered ${Date.now() - startedAt} ms after it was started`)
  })

  it('shows usage moving: the simulated agent reports and the controller books it', async () => {
    const token = /Bearer (\S+)\)/.exec(demo.output())![1]!
    const used = async () => {
      const res = await fetch(`${base}/api/v1/subscribers`, { headers: { authorization: `Bearer ${token}` } })
      const body = (await res.json()) as { items: { usage: { usedBytes: number } }[] }
      return body.items.reduce((sum, s) => sum + s.usage.usedBytes, 0)
    }
    const first = await used()
    let later = first
    for (let i = 0; i < 40 && later === first; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      later = await used()
    }
    expect(later).toBeGreaterThan(first)
  })

  it('Ctrl-C stops the controller and the agent', async () => {
    const dir = /files in (\S+)\)/.exec(demo.output())![1]!
    expect(await processesWith(`${dir}/agent.json`)).toHaveLength(1)
    const code = await demo.signal('SIGINT')
    expect(code).toBe(0)
    await expect(fetch(`${base}/healthz`)).rejects.toThrow()
    for (let i = 0; i < 50 && (await processesWith(`${dir}/agent.json`)).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await processesWith(`${dir}/agent.json`)).toEqual([])
  })
})
