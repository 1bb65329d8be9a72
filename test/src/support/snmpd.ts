/**
 * net-snmp's snmpd running inside a network namespace (so the interfaces it reports are that
 * namespace's), reachable from the test process over a management veth from the root namespace.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from './run-command.js'

export interface SnmpdUser {
  user: string
  authProtocol: 'sha' | 'sha256'
  authKey: string
  privProtocol: 'aes' | 'aes256b'
  privKey: string
}

export interface Snmpd {
  /** The agent's address on the management link, reachable from the root namespace. */
  readonly host: string
  readonly port: number
  readonly community: string
  /** authPriv users: SHA-1/AES-128 and SHA-256/AES-256. */
  readonly users: { readonly sha: SnmpdUser; readonly sha256: SnmpdUser }
  /**
   * snmpd re-reads interface counters at most every 3 s by default (nsCacheTimeout of ifTable);
   * 0 makes every request read the kernel.
   */
  setInterfaceCacheSeconds(seconds: number): Promise<void>
  /** Stops and starts snmpd (same persistent state: snmpEngineBoots goes up, sysUpTime restarts). */
  restart(): Promise<void>
  log(): Promise<string>
  stop(): Promise<void>
}

export interface SnmpdOptions {
  /** Namespace snmpd runs in. */
  netns: string
  /** Interface cache seconds to set once started (default: leave snmpd's 3 s). */
  interfaceCacheSeconds?: number
}

const IF_TABLE_CACHE_TIMEOUT = '1.3.6.1.4.1.8072.1.5.3.1.2.1.3.6.1.2.1.2.2'
const liveLinks = new Set<string>()
const liveAgents = new Set<ChildProcess>()
let seq = 0
process.once('exit', () => {
  for (const agent of liveAgents) agent.kill('SIGKILL')
  for (const link of liveLinks) {
    try {
      execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' })
    } catch {}
  }
})

/** Why snmpd cannot run here, or undefined when it can. */
export async function snmpdUnavailableReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces'
  for (const [binary, versionFlag, pkg] of [
    ['snmpd', '-v', 'snmpd'],
    ['snmpset', '-V', 'snmp'],
  ] as const) {
    try {
      await run([binary, versionFlag])
    } catch {
      return `needs ${binary} (apt-get install ${pkg})`
    }
  }
  const probe = `capd-snmp-probe-${process.pid}`
  try {
    await run(['ip', 'netns', 'add', probe])
    await run(['ip', 'netns', 'del', probe])
  } catch (error) {
    return `cannot create network namespaces: ${(error as Error).message}`
  }
  return undefined
}

export async function startSnmpd({ netns, interfaceCacheSeconds }: SnmpdOptions): Promise<Snmpd> {
  const n = ++seq
  const link = `snm${process.pid % 100_000}x${n}`
  const [outside, inside] = await pickLinkAddresses()
  const dir = await mkdtemp(join(tmpdir(), 'capd-snmpd-'))
  const secret = () => randomBytes(9).toString('base64url')
  const community = `ro-${secret()}`
  const admin = `cache-${secret()}`
  const users = {
    sha: { user: 'capd-sha', authProtocol: 'sha', authKey: secret(), privProtocol: 'aes', privKey: secret() },
    sha256: {
      user: 'capd-sha256',
      authProtocol: 'sha256',
      authKey: secret(),
      privProtocol: 'aes256b',
      privKey: secret(),
    },
  } as const satisfies Record<string, SnmpdUser>
  const port = 161
  const logFile = join(dir, 'snmpd.log')
  const persistent = join(dir, 'persist')
  const config = [
    `agentAddress udp:${inside}:${port}`,
    `rocommunity ${community} ${outside}/32`,
    // Only the agent's cache settings are writable, only from the test process.
    `rwcommunity ${admin} ${outside}/32 .1.3.6.1.4.1.8072.1.5`,
    `createUser ${users.sha.user} SHA "${users.sha.authKey}" AES "${users.sha.privKey}"`,
    `rouser ${users.sha.user} priv`,
    // net-snmp's AES-256 extends keys the Blumenthal way (our aes256b).
    `createUser ${users.sha256.user} SHA-256 "${users.sha256.authKey}" AES-256 "${users.sha256.privKey}"`,
    `rouser ${users.sha256.user} priv`,
    'dontLogTCPWrappersConnects yes',
    '',
  ].join('\n')
  await writeFile(join(dir, 'snmpd.conf'), config, { mode: 0o600 })

  let child: ChildProcess | undefined
  const ipn = (...args: string[]) => run(['ip', '-n', netns, ...args])
  const stopChild = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    liveAgents.delete(running)
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    const timer = setTimeout(() => running.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
  }
  const startChild = async () => {
    const before = await readFile(logFile, 'utf8').catch(() => '')
    // -f foreground, -m '' no MIB files (Debian ships none), -A -Lf append to the log file (a
    // restart would truncate it). SNMPCONFPATH instead of -C -c: only our directory and the
    // persistent one are read, so snmpEngineBoots survives a restart as on a real router.
    child = spawn(
      'ip',
      ['netns', 'exec', netns, 'snmpd', '-f', '-m', '', '-A', '-Lf', logFile, '-p', join(dir, 'snmpd.pid')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, SNMPCONFPATH: `${dir}:${persistent}`, SNMP_PERSISTENT_DIR: persistent },
      },
    )
    liveAgents.add(child)
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    const deadline = Date.now() + 10_000
    for (;;) {
      const text = await readFile(logFile, 'utf8').catch(() => '')
      if (text.length > before.length && text.slice(before.length).includes('NET-SNMP version')) return
      if (child.exitCode !== null || Date.now() > deadline) {
        await stopChild()
        throw new Error(`snmpd did not start in ${netns}: ${stderr.trim()}\n${text.slice(before.length)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const snmpset = ['snmpset', '-v2c', '-c', admin, '-m', '', '-t', '2', '-r', '2', `${inside}:${port}`]
  const setCache = async (seconds: number) => {
    await run([...snmpset, IF_TABLE_CACHE_TIMEOUT, 'i', String(seconds)], undefined, {
      env: { SNMP_PERSISTENT_DIR: join(dir, 'client') },
    })
  }

  try {
    await run(['ip', 'link', 'add', link, 'type', 'veth', 'peer', 'name', `mgmt${n}`, 'netns', netns])
    liveLinks.add(link)
    await run(['ip', 'addr', 'add', `${outside}/30`, 'dev', link])
    await run(['ip', 'link', 'set', link, 'up'])
    await ipn('addr', 'add', `${inside}/30`, 'dev', `mgmt${n}`)
    await ipn('link', 'set', `mgmt${n}`, 'up')
    await ipn('link', 'set', 'lo', 'up')
    await startChild()
    if (interfaceCacheSeconds !== undefined) await setCache(interfaceCacheSeconds)
  } catch (error) {
    await stopChild()
    await run(['ip', 'link', 'del', link]).catch(() => {})
    liveLinks.delete(link)
    await rm(dir, { recursive: true, force: true })
    throw error
  }

  let cacheSeconds = interfaceCacheSeconds
  return {
    host: inside,
    port,
    community,
    users,
    async setInterfaceCacheSeconds(seconds) {
      await setCache(seconds)
      cacheSeconds = seconds
    },
    async restart() {
      await stopChild()
      await startChild()
      if (cacheSeconds !== undefined) await setCache(cacheSeconds)
    },
    log: () => readFile(logFile, 'utf8'),
    async stop() {
      await stopChild()
      // Deleting one end removes the pair (the namespace may already be gone with its end).
      await run(['ip', 'link', 'del', link]).catch(() => {})
      liveLinks.delete(link)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A /30 in 198.18.0.0/15 (RFC 2544, benchmarking) that no root-namespace interface uses yet. */
async function pickLinkAddresses(): Promise<[string, string]> {
  const used = await run(['ip', '-4', '-o', 'addr', 'show'])
  for (let attempt = 0; attempt < 50; attempt++) {
    const [a = 0, b = 0] = randomBytes(2)
    const base = `198.${18 + (a >> 7)}.${b}`
    const last = (a & 63) * 4
    const outside = `${base}.${last + 1}`
    if (!used.includes(` ${base}.${last + 1}/`) && !used.includes(` ${base}.${last + 2}/`)) {
      return [outside, `${base}.${last + 2}`]
    }
  }
  throw new Error('no free /30 in 198.18.0.0/15 for the SNMP management link')
}
