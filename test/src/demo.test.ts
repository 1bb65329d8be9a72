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

  it("seeds a month of history that adds up to each subscriber's usage, with a top-up mid-period", async () => {
    const token = /Bearer (\S+)\)/.exec(demo.output())![1]!
    const auth = { headers: { authorization: `Bearer ${token}` } }
    type Sub = { id: string; login: string; usage: { usedBytes: number; periodStart: string } }
    const subs = ((await (await fetch(`${base}/api/v1/subscribers`, auth)).json()) as { items: Sub[] }).items
    expect(subs).toHaveLength(4)
    const now = new Date()
    const monthAgo = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10)
    const csvTotal = async (id: string, from: string) => {
      const res = await fetch(`${base}/api/v1/subscribers/${id}/usage.csv?from=${from}&granularity=day`, auth)
      expect(res.status).toBe(200)
      const lines = (await res.text()).trim().split('\r\n').slice(1)
      return lines.map((l) => l.split(',')).map(([day, , , total]) => ({ day: day!, total: Number(total) }))
    }
    for (const sub of subs) {
      const month = await csvTotal(sub.id, monthAgo)
      // Usage on (nearly) every day of the month, not just since the demo started.
      expect(month.filter((d) => d.total > 0).length, sub.login).toBeGreaterThanOrEqual(28)
      // The demo's zone is UTC: the period's first local day is its start's date.
      const periodDay = sub.usage.periodStart.slice(0, 10)
      expect(
        month.some((d) => d.day < periodDay && d.total > 0),
        sub.login,
      ).toBe(true)
      // The agent keeps booking meanwhile: the period's days before and after bracket its usage.
      const before = (await csvTotal(sub.id, periodDay)).reduce((a, d) => a + d.total, 0)
      const res = await fetch(`${base}/api/v1/subscribers/${sub.id}`, auth)
      const used = ((await res.json()) as Sub).usage.usedBytes
      const after = (await csvTotal(sub.id, periodDay)).reduce((a, d) => a + d.total, 0)
      expect(used, sub.login).toBeGreaterThanOrEqual(before)
      expect(used, sub.login).toBeLessThanOrEqual(after)
    }
    const alice = subs.find((s) => s.login === 'alice')!
    const topUps = (await (await fetch(`${base}/api/v1/subscribers/${alice.id}`, auth)).json()) as {
      usage: { limitBytes: number }
    }
    expect(topUps.usage.limitBytes).toBe(1.5e9)
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
