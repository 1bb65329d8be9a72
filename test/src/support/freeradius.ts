/**
 * Debian's FreeRADIUS as a server of the test's own: a minimal config dir (radiusd.conf,
 * clients.conf, a users file, one site) that includes capd's documented rest module and authorize
 * lines from docs/freeradius, placeholders filled, run in the foreground on a free port.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const DOCS = new URL('../../../docs/freeradius/', import.meta.url)

/** Debian ships rlm_rest apart from the server, in freeradius-rest. */
const RLM_REST = '/usr/lib/freeradius/rlm_rest.so'

/** Why freeradius with rlm_rest and radclient cannot run here, or undefined. */
export function freeradiusUnavailableReason(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('freeradius', ['-v'], (err) => {
      if (err) return resolve(`freeradius is not installed (${err.message})`)
      if (!existsSync(RLM_REST)) return resolve(`${RLM_REST} is missing (Debian: freeradius-rest)`)
      execFile('radclient', ['-v'], (err2) =>
        resolve(err2 ? `radclient is not installed (${err2.message})` : undefined),
      )
    }),
  )
}

export interface AuthAnswer {
  /** `Access-Accept`, `Access-Reject`, or `none` when no answer came. */
  code: string
  /** The reply's attributes, quotes taken off. */
  attributes: Record<string, string>
  output: string
}

/** Sends one Access-Request (attribute lines) with radclient and reads the answer. */
export function radclientAuth(port: number, secret: string, lines: readonly string[]): Promise<AuthAnswer> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '5', `127.0.0.1:${port}`, 'auth', secret], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', () => {
      const received = /^Received (Access-\w+) /m.exec(output)
      const attributes: Record<string, string> = {}
      if (received) {
        const after = output.slice(received.index).split('\n').slice(1)
        for (const line of after) {
          const m = /^\s+([\w-]+) = "?(.*?)"?$/.exec(line)
          if (!m) break
          attributes[m[1]!] = m[2]!
        }
      }
      resolve({ code: received?.[1] ?? 'none', attributes, output })
    })
    child.stdin.end(`${lines.join('\n')}\n`)
  })
}

export interface FreeradiusOptions {
  dir: string
  port: number
  /** Shared secret of radclient on 127.0.0.1. */
  secret: string
  capdUrl: string
  capdToken: string
  /** `users` file lines: the ISP's own subscribers and their passwords. */
  users: readonly { name: string; password: string }[]
}

export interface Freeradius {
  output(): string
  stop(): Promise<void>
}

export async function startFreeradius(options: FreeradiusOptions): Promise<Freeradius> {
  const { dir } = options
  await mkdir(join(dir, 'mods-enabled'), { recursive: true })
  await mkdir(join(dir, 'sites-enabled'), { recursive: true })
  await mkdir(join(dir, 'run'), { recursive: true })
  await mkdir(join(dir, 'log'), { recursive: true })
  const fill = (text: string) =>
    text.replaceAll('CAPD_URL', options.capdUrl).replaceAll('CAPD_TOKEN', options.capdToken)
  const rest = fill(await readFile(new URL('capd-rest', DOCS), 'utf8'))
  const authorize = fill(await readFile(new URL('capd-authorize', DOCS), 'utf8'))
  await writeFile(join(dir, 'mods-enabled', 'capd'), rest)
  await writeFile(
    join(dir, 'radiusd.conf'),
    `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
confdir = ${dir}
raddbdir = ${dir}
logdir = ${dir}/log
run_dir = ${dir}/run
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
name = freeradius
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no
log {
	destination = stdout
	auth = yes
}
security {
	allow_core_dumps = no
	max_attributes = 200
}
thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
}
modules {
	$INCLUDE mods-enabled/
}
$INCLUDE clients.conf
$INCLUDE sites-enabled/
`,
  )
  await writeFile(
    join(dir, 'clients.conf'),
    `client localhost {\n\tipaddr = 127.0.0.1\n\tsecret = ${options.secret}\n}\n`,
  )
  await writeFile(join(dir, 'mods-enabled', 'files'), `files {\n\tfilename = ${dir}/users\n}\n`)
  await writeFile(join(dir, 'mods-enabled', 'pap'), 'pap {\n}\n')
  await writeFile(
    join(dir, 'users'),
    options.users.map((u) => `${u.name}\tCleartext-Password := "${u.password}"\n`).join(''),
  )
  await writeFile(
    join(dir, 'sites-enabled', 'capd-test'),
    `server capd-test {
listen {
	type = auth
	ipaddr = 127.0.0.1
	port = ${options.port}
}
authorize {
	files
${authorize}
	pap
}
authenticate {
	Auth-Type PAP {
		pap
	}
}
}
`,
  )
  return run(dir)
}

function run(dir: string): Promise<Freeradius> {
  const child: ChildProcess = spawn('freeradius', ['-f', '-l', 'stdout', '-xx', '-d', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((resolve) => child.once('close', resolve))
    child.kill('SIGTERM')
    await gone
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`freeradius did not start within 15 s:\n${output}`))
    }, 15_000)
    const check = () => {
      if (/Ready to process requests/.test(output)) {
        clearTimeout(timer)
        resolve({ output: () => output, stop })
      }
    }
    child.stdout!.on('data', check)
    child.stderr!.on('data', check)
    child.once('close', (code) => {
      clearTimeout(timer)
      reject(new Error(`freeradius exited (${code}) before it was ready:\n${output}`))
    })
  })
}
