/**
 * packaging/install.sh from a real build, into a fake root (DESTDIR): the files, their modes, the
 * units pointing at what was installed, the `capd` wrapper, upgrades that keep the operator's
 * configuration and the agent's CAP_NET_ADMIN, the agent-only install of an edge box, and refusals
 * that change nothing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
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
  // Exit code 2 is a setting or a store for the operator to fix: restarting would only fail again.
  expect(keys.get('RestartPreventExitStatus')).toEqual(['2'])
  return { exec }
}

/** A warning about one of the host's installed units (e.g. Debian's freeradius.service), not capd's. */
const HOST_UNIT_LINE = /^\/(usr\/)?lib\/systemd\/system\/[^:]+:\d+: /

function verify(root: string, units: string[]) {
  if (!systemdAnalyze) return
  const result = spawnSync(
    'systemd-analyze',
    ['verify', '--man=no', ...units.map((u) => join(root, 'etc/systemd/system', u))],
    {
      encoding: 'utf8',
    },
  )
  // Loading the targets loads the host's own units too; what it says of those is not ours to mend.
  const ours = (result.stderr + result.stdout)
    .split('\n')
    .filter((line) => line !== '' && !HOST_UNIT_LINE.test(line))
  expect(ours).toEqual([])
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
    expect(await mode(join(root, 'usr/local/bin/capd'))).toBe('755')
    expect(await mode(join(root, 'etc/capd/controller.env'))).toBe('640')
    expect(await mode(join(root, 'var/lib/capd'))).toBe('750')
    expect(await mode(join(root, 'var/backups/capd'))).toBe('750')
    expect(await mode(join(root, 'var/lib/capd-agent'))).toBe('700')

    const controller = await checkUnit(root, 'capd-controller.service')
    expect(controller.exec).toContain('/opt/capd/capd.mjs')
    expect(controller.exec).toContain('$CAPD_CONTROLLER_OPTIONS')
    expect(
      (await unitKeys(join(root, 'etc/systemd/system/capd-controller.service'))).get('ExecReload'),
    ).toEqual(['/bin/kill -HUP $MAINPID'])
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

  it("/usr/local/bin/capd runs capd.mjs with the node the units use, even with cron's PATH", async () => {
    const root = await freshRoot()
    expect(install(root).status).toBe(0)
    const wrapper = await readFile(join(root, 'usr/local/bin/capd'), 'utf8')
    expect(wrapper).toContain(`exec '${process.execPath}' /opt/capd/capd.mjs "$@"`)
    // The same script pointed at the fake root, run with no node on PATH (cron's is /usr/bin:/bin).
    const here = join(root, 'capd-here')
    await writeFile(here, wrapper.replace('/opt/capd/', `${join(root, 'opt/capd')}/`), { mode: 0o755 })
    const version = spawnSync(here, ['version'], { env: { PATH: '/nonexistent' }, encoding: 'utf8' })
    expect(version.stderr).toBe('')
    expect(version.stdout).toMatch(/^capd \d+\.\d+\.\d+\n/)
  })

  it('replaces the symlink an older release made without writing through it', async () => {
    const root = await freshRoot()
    expect(install(root).status).toBe(0)
    const bin = join(root, 'usr/local/bin/capd')
    await rm(bin)
    await symlink(join(root, 'opt/capd/capd.mjs'), bin)
    expect(install(root).status).toBe(0)
    expect((await lstat(bin)).isFile()).toBe(true)
    expect(await readFile(join(root, 'opt/capd/capd.mjs'), 'utf8')).toBe(
      await readFile(join(dist, 'capd.mjs'), 'utf8'),
    )
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

  it('--agent-only installs the agent alone; --nftables adds CAP_NET_ADMIN and nothing more', async () => {
    const root = await freshRoot()
    const result = install(root, ['--agent-only', '--nftables'])
    expect(result.status).toBe(0)
    expect(await readdir(join(root, 'opt/capd'))).toEqual(['capd-agent.mjs'])
    expect(existsSync(join(root, 'usr/local/bin/capd'))).toBe(false)
    expect(existsSync(join(root, 'etc/capd/controller.env'))).toBe(false)
    expect(existsSync(join(root, 'var/lib/capd'))).toBe(false)
    expect(existsSync(join(root, 'var/backups/capd'))).toBe(false)
    expect(await readdir(join(root, 'etc/systemd/system'))).toEqual(
      expect.not.arrayContaining(['capd-controller.service']),
    )
    await checkUnit(root, 'capd-agent.service')
    const dropIn = await unitKeys(join(root, 'etc/systemd/system/capd-agent.service.d/nftables.conf'))
    expect(dropIn.get('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN'])
    expect(dropIn.get('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN'])
    expect(dropIn.get('RestrictAddressFamilies')![0]).toContain('AF_NETLINK')
    verify(root, ['capd-agent.service'])
  })

  it('an upgrade keeps the nftables drop-in; only --no-nftables removes it', async () => {
    const root = await freshRoot()
    const dropIn = join(root, 'etc/systemd/system/capd-agent.service.d/nftables.conf')
    expect(install(root, ['--agent-only', '--nftables']).status).toBe(0)
    const upgrade = install(root, ['--agent-only'])
    expect(upgrade.status).toBe(0)
    expect(upgrade.stdout).toContain('kept CAP_NET_ADMIN')
    expect((await unitKeys(dropIn)).get('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN'])

    const contradiction = install(root, ['--agent-only', '--no-nftables', '--nftables'])
    expect(contradiction.status).toBe(2)
    expect(contradiction.stderr).toContain('contradict')
    expect(existsSync(dropIn)).toBe(true)

    expect(install(root, ['--agent-only', '--no-nftables']).status).toBe(0)
    expect(existsSync(join(root, 'etc/systemd/system/capd-agent.service.d'))).toBe(false)
    expect(install(root, ['--agent-only']).status).toBe(0)
    expect(existsSync(dropIn)).toBe(false)
  })

  it('warns when /etc/capd/agent.json changes nftables here and the unit would not allow it', async () => {
    const routers: [object, boolean][] = [
      [{ kind: 'nftables' }, true],
      [{ kind: 'snmp', host: 'r', community: 'c', enforcer: { kind: 'nftables' } }, true],
      [{ kind: 'snmp', host: 'r', community: 'c', enforcer: { kind: 'routeros', host: 'r' } }, false],
      [{ kind: 'routeros', host: 'r' }, false],
    ]
    for (const [router, needsCapability] of routers) {
      const root = await freshRoot()
      await mkdir(join(root, 'etc/capd'), { recursive: true })
      await writeFile(join(root, 'etc/capd/agent.json'), JSON.stringify({ router }))
      const plain = install(root, ['--agent-only'])
      expect(plain.status).toBe(0)
      expect(plain.stderr.includes('WARNING'), JSON.stringify(router)).toBe(needsCapability)
      const allowed = install(root, ['--agent-only', '--nftables'])
      expect(allowed.status).toBe(0)
      expect(allowed.stderr).toBe('')
    }
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
