/**
 * `pnpm build` as production runs it: the build made into a temporary directory, then run with plain
 * node from /tmp, far from the repository's node_modules. `capd.mjs` answers `version`, serves the
 * controller (pages, assets, an invoice PDF from the pdfkit it carries in its own node_modules), and
 * the agent bundle, copied alone into an empty directory, connects to it and books usage.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCapd } from '../../cli/src/build/build.js'
import { type AgentConfigFile, writeAgentConfig } from './support/agent-process.js'
import { apiClient } from './support/api-client.js'
import { killAll, startNodeProcess, type TsxProcess } from './support/tsx-process.js'
import { waitFor } from './support/wait-for.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TOKEN = 'capd_production-build-test-token-0123456789'
const live = new Set<import('node:child_process').ChildProcess>()

let dir: string
let dist: string

/** Node resolves bare imports from every node_modules up the path: none may exist above `path`. */
function modulesAbove(path: string): string[] {
  const found: string[] = []
  for (let d = path; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) found.push(join(d, 'node_modules'))
    if (dirname(d) === d) return found
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capd-build-'))
  dist = join(dir, 'opt', 'capd')
  const { files } = await buildCapd(REPO_ROOT, join(dir, 'dist'))
  expect(files.map((f) => f.path)).toEqual(
    expect.arrayContaining(['capd.mjs', 'capd-agent.mjs', 'node_modules/']),
  )
  // What an operator copies: the whole directory, to a place that knows nothing of the checkout.
  await cp(join(dir, 'dist'), dist, { recursive: true })
  await rm(join(dir, 'dist'), { recursive: true })
})

afterAll(async () => {
  await killAll(live)
  if (dir) await rm(dir, { recursive: true, force: true })
})

function run(script: string, args: string[], cwd: string) {
  const { NODE_OPTIONS: _ignored, ...env } = process.env
  return spawnSync(process.execPath, [script, ...args], { cwd, env, encoding: 'utf8', timeout: 20_000 })
}

describe('the production build', () => {
  it('capd version runs with plain node and says the release, the store format and Node', () => {
    expect(modulesAbove(dist)).toEqual([join(dist, 'node_modules')])
    const version = run(join(dist, 'capd.mjs'), ['version'], dir)
    expect(version.stderr).toBe('')
    expect(version.status).toBe(0)
    expect(version.stdout).toMatch(
      /^capd \d+\.\d+\.\d+\nagent \d+\.\d+\.\d+\nstore format capd-store version \d+\n/,
    )
    expect(version.stdout).toContain(`node ${process.versions.node}`)
    // Each subcommand is its own chunk in lib/: loading one proves the chunk and what it imports are there.
    for (const [command, usage] of [
      ['agent', 'Usage: capd agent --config'],
      ['controller', 'Usage: capd controller'],
    ]) {
      const help = run(join(dist, 'capd.mjs'), [command!, '--help'], dir)
      expect(help.stderr).toBe('')
      expect(help.stdout).toContain(usage)
      expect(help.status).toBe(0)
    }
    // The agent bundle alone tells how it is run: as itself, not as a `capd` subcommand.
    const bundleHelp = run(join(dist, 'capd-agent.mjs'), ['--help'], dir)
    expect(bundleHelp.stderr).toBe('')
    expect(bundleHelp.stdout).toMatch(/^Usage: node capd-agent\.mjs --config agent\.json\n/)
    expect(bundleHelp.status).toBe(0)
    const unknown = run(join(dist, 'capd.mjs'), ['frobnicate'], dir)
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('capd: no command "frobnicate"')
  })

  it('the controller serves pages and PDFs, and the agent bundle alone in an empty directory connects to it', async () => {
    const controller = await startNodeProcess({
      script: join(dist, 'capd.mjs'),
      args: ['controller', '--port', '0', '--host', '127.0.0.1', '--tz', 'UTC', '--data', join(dir, 'data')],
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
      cwd: dir,
      ready: /capd controller \S+ listening on (http:\/\/\S+) /,
      what: 'built controller',
      timeoutMs: 20_000,
      live,
    })
    const base = controller.ready
    const processes: TsxProcess[] = [controller]
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true })
      const login = await fetch(`${base}/login`)
      expect(login.status).toBe(200)
      const html = await login.text()
      const css = /href="(\/assets\/capd\.css[^"]*)"/.exec(html)?.[1]
      expect(css, html).toBeDefined()
      const stylesheet = await fetch(`${base}${css!.replaceAll('&amp;', '&')}`)
      expect(stylesheet.status).toBe(200)
      expect(await stylesheet.text()).toContain('{')

      const call = apiClient(base, TOKEN)
      const must = async (answer: ReturnType<typeof call>, status: number) => {
        const { status: got, body } = await answer
        if (got !== status) throw new Error(`expected HTTP ${status}, got ${got}: ${JSON.stringify(body)}`)
        return body
      }
      const enrolled = await must(call('POST', '/agents', { name: 'edge-box' }), 201)
      const plan = await must(call('POST', '/plans', { name: '10 GB', capBytes: 10e9, onCap: 'block' }), 201)
      const alice = await must(
        call('POST', '/subscribers', {
          name: 'Alice',
          login: 'alice',
          planId: plan.id,
          agentId: enrolled.id,
          address: '10.0.0.5',
        }),
        201,
      )

      // pdfkit is the one package capd.mjs leaves outside: this PDF comes from dist/node_modules.
      const topup = await must(
        call('POST', `/subscribers/${alice.id}/topups`, {
          bytes: 1e9,
          price: { amount: 500, currency: 'USD' },
          chargeTo: 'invoice',
        }),
        201,
      )
      const pdf = await fetch(`${base}/api/v1/invoices/${topup.invoice.id}/pdf`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      expect(pdf.status).toBe(200)
      expect(pdf.headers.get('content-type')).toBe('application/pdf')
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-')

      const edge = await mkdtemp(join(tmpdir(), 'capd-edge-'))
      try {
        await cp(join(dist, 'capd-agent.mjs'), join(edge, 'capd-agent.mjs'))
        expect(modulesAbove(edge)).toEqual([])
        const config: AgentConfigFile = {
          controller: base.replace(/^http/, 'ws'),
          token: enrolled.token,
          stateDir: join(edge, 'state'),
          pollIntervalMs: 200,
          fastPollIntervalMs: 100,
          router: { kind: 'simulated', bytesPerSecond: 1_000_000 },
        }
        await writeAgentConfig(join(edge, 'agent.json'), config)
        const agent = await startNodeProcess({
          script: join(edge, 'capd-agent.mjs'),
          args: ['--config', join(edge, 'agent.json')],
          cwd: edge,
          ready: /capd agent \S+ running/,
          what: 'agent bundle',
          timeoutMs: 20_000,
          live,
        })
        processes.push(agent)
        await waitFor('the agent is connected', async () => {
          const agents = (await must(call('GET', '/agents'), 200)).items as Array<{
            id: string
            connected: boolean
          }>
          return agents.find((a) => a.id === enrolled.id)?.connected === true
        })
        await waitFor('usage of alice booked from the agent bundle', async () => {
          const sub = await must(call('GET', `/subscribers/${alice.id}`), 200)
          return sub.usage.usedBytes > 0
        })
        expect(await agent.signal('SIGTERM')).toBe(0)
        expect((await readdir(config.stateDir)).length).toBeGreaterThan(0)
        expect(agent.output()).not.toMatch(/bufferutil|utf-8-validate|Cannot find/)
      } finally {
        await rm(edge, { recursive: true, force: true })
      }
      expect(await controller.signal('SIGTERM')).toBe(0)
    } catch (error) {
      const logs = processes.map((p) => p.output()).join('\n---\n')
      throw new Error(`${(error as Error).message}\n${logs}`, { cause: error })
    }
  })
})
