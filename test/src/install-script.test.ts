/**
 * packaging/install.sh from a real build, into a fake root (DESTDIR): the files, their modes, the
 * units pointing at what was installed, upgrades that keep the operator's configuration, the agent-only
 * install of an edge box, and refusals that change nothing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCapd } from '../../cli/src/build/build.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const mustRun = process.env.CI === 'true'
const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0
if (!systemdAnalyze && mustRun) throw new Error('systemd-analyze is missing: install systemd (see .ci/run)')

let dir: string
let dist: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capd-install-'))
  dist = join(dir, 'dist')
  await buildCapd(REPO_ROOT, dist)
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

function install(root: string, args: string[] = [], env: Record<string, string> = {}) {
  return spawnSync('sh', [join(dist, 'packaging', 'install.sh'), ...args], {
    env: { ...process.env, DESTDIR: root, CAPD_NODE: process.execPath, ...env },
    encoding: 'utf8',
  })
}

async function freshRoot(): Promise<string> {
  return mkdtemp(join(dir, 'root-'))
}

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8)

/** `Key=value` lines of a unit file (a key may repeat). */
async function unitKeys(path: string): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>()
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line)
    if (match) keys.set(match[1]!, [...(keys.get(match[1]!) ?? []), match[2]!])
  }
  return keys
}

/** Every absolute path a unit's ExecStart and EnvironmentFile name, and the state directories it declares. */
async function checkUnit(root: string, unit: string): Promise<{ exec: string[] }> {
  const keys = await unitKeys(join(root, 'etc/systemd/system', unit))
  const exec = keys.get('ExecStart')![0]!.split(' ')
  expect(exec[0]).toBe(process.execPath)
  for (const arg of exec.slice(1).filter((a) => a.startsWith('/'))) {
    // The agent's config is the operator's to write (from the enrolment snippet); all else is installed.
    if (arg === '/etc/capd/agent.json') continue
    expect(existsSync(join(root, arg)), `${unit}: ${arg}`).toBe(true)
  }
  for (const file of keys.get('EnvironmentFile') ?? []) expect(existsSync(join(root, file)), file).toBe(true)
  const state = keys.get('StateDirectory')![0]!
  expect(await mode(join(root, 'var/lib', state))).toBe(keys.get('StateDirectoryMode')![0]!.replace(/^0/, ''))
  expect(keys.get('User')![0]).toMatch(/^capd(-agent)?$/)
  expect(keys.get('NoNewPrivileges')).toEqual(['yes'])
  expect(keys.get('ProtectSystem')).toEqual(['strict'])
  expect(keys.get('CapabilityBoundingSet')).toEqual([''])
  expect(keys.get('MemoryDenyWriteExecute')).toBeUndefined()
  return { exec }
}

function verify(root: string, units: string[]) {
  if (!systemdAnalyze) return
  const result = spawnSync(
    'systemd-analyze',
    ['verify', '--man=no', ...units.map((u) => join(root, 'etc/systemd/system', u))],
    {
      encoding: 'utf8',
    },
  )
  expect(result.stderr + result.stdout).toBe('')
  expect(result.status).toBe(0)
}

describe('install.sh', () => {
  it('installs the build, the configuration, the state directories and the units, all pointing at each other', async () => {
    const root = await freshRoot()
    const result = install(root)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect((await readdir(join(root, 'opt/capd'))).sort()).toEqual(
      ['capd-agent.mjs', 'capd.mjs', 'lib', 'node_modules', 'package.json'].sort(),
    )
    expect(await mode(join(root, 'opt/capd/capd.mjs'))).toBe('755')
    expect(await mode(join(root, 'opt/capd/capd-agent.mjs'))).toBe('755')
    expect(await mode(join(root, 'opt/capd/package.json'))).toBe('644')
    expect(await readlink(join(root, 'usr/local/bin/capd'))).toBe('/opt/capd/capd.mjs')
    expect(await mode(join(root, 'etc/capd/controller.env'))).toBe('640')
    expect(await mode(join(root, 'var/lib/capd'))).toBe('750')
    expect(await mode(join(root, 'var/lib/capd-agent'))).toBe('700')

    const controller = await checkUnit(root, 'capd-controller.service')
    expect(controller.exec).toContain('/opt/capd/capd.mjs')
    expect(controller.exec).toContain('$CAPD_CONTROLLER_OPTIONS')
    const agent = await checkUnit(root, 'capd-agent.service')
    expect(agent.exec).toContain('/opt/capd/capd-agent.mjs')
    const example = JSON.parse(await readFile(join(root, 'etc/capd/agent.json.example'), 'utf8'))
    expect(example.stateDir).toBe('/var/lib/capd-agent')
    expect(existsSync(join(root, 'etc/systemd/system/capd-agent.service.d'))).toBe(false)
    verify(root, ['capd-controller.service', 'capd-agent.service'])

    const version = spawnSync(process.execPath, [join(root, 'opt/capd/capd.mjs'), 'version'], {
      encoding: 'utf8',
    })
    expect(version.stdout).toMatch(/^capd \d+\.\d+\.\d+\n/)
  })

  it('an upgrade replaces the programs whole and keeps the configuration the operator wrote', async () => {
    const root = await freshRoot()
    expect(install(root).status).toBe(0)
    const env = join(root, 'etc/capd/controller.env')
    const mine = `CAPD_CONTROLLER_OPTIONS=--port ${1024 + Math.floor(Math.random() * 60000)} --tz Africa/Nairobi\n`
    await writeFile(env, mine)
    await writeFile(join(root, 'etc/capd/agent.json'), '{"mine":true}\n')
    await writeFile(join(root, 'opt/capd/lib/left-from-an-old-release.mjs'), '')
    const again = install(root)
    expect(again.status).toBe(0)
    expect(await readFile(env, 'utf8')).toBe(mine)
    expect(await readFile(join(root, 'etc/capd/agent.json'), 'utf8')).toBe('{"mine":true}\n')
    expect(existsSync(join(root, 'opt/capd/lib/left-from-an-old-release.mjs'))).toBe(false)
    expect(existsSync(join(root, 'opt/capd.old'))).toBe(false)
    expect(existsSync(join(root, 'opt/capd.new'))).toBe(false)
  })

  it('--agent-only installs the agent alone; --nftables adds CAP_NET_ADMIN and nothing more, and leaving it out removes it', async () => {
    const root = await freshRoot()
    const result = install(root, ['--agent-only', '--nftables'])
    expect(result.status).toBe(0)
    expect(await readdir(join(root, 'opt/capd'))).toEqual(['capd-agent.mjs'])
    expect(existsSync(join(root, 'usr/local/bin/capd'))).toBe(false)
    expect(existsSync(join(root, 'etc/capd/controller.env'))).toBe(false)
    expect(existsSync(join(root, 'var/lib/capd'))).toBe(false)
    expect(await readdir(join(root, 'etc/systemd/system'))).toEqual(
      expect.not.arrayContaining(['capd-controller.service']),
    )
    await checkUnit(root, 'capd-agent.service')
    const dropIn = await unitKeys(join(root, 'etc/systemd/system/capd-agent.service.d/nftables.conf'))
    expect(dropIn.get('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN'])
    expect(dropIn.get('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN'])
    expect(dropIn.get('RestrictAddressFamilies')![0]).toContain('AF_NETLINK')
    verify(root, ['capd-agent.service'])

    expect(install(root, ['--agent-only']).status).toBe(0)
    expect(existsSync(join(root, 'etc/systemd/system/capd-agent.service.d/nftables.conf'))).toBe(false)
  })

  it('refuses an unknown option or a Node.js older than 20, and installs nothing', async () => {
    const root = await freshRoot()
    const unknown = install(root, ['--agent-only', '--prefix=/usr'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('unknown option --prefix=/usr')
    expect(await readdir(root)).toEqual([])

    for (const old of ['18.20.4', '16.0.0', '']) {
      const fake = join(dir, `node-${old || 'broken'}`)
      await writeFile(fake, old ? `#!/bin/sh\necho ${old}\n` : '#!/bin/sh\nexit 1\n')
      await chmod(fake, 0o755)
      const refused = install(root, [], { CAPD_NODE: fake })
      expect(refused.status).toBe(1)
      expect(refused.stderr).toContain('Node.js >= 20 is needed')
      expect(await readdir(root)).toEqual([])
    }
    expect((await lstat(root)).isDirectory()).toBe(true)
  })
})
