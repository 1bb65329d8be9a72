/**
 * Debian's nginx as a child process in front of a controller, configured with the example server
 * block in docs/nginx-capd.conf: the example itself, with only its ports and certificate paths
 * changed, so what the README shows is what the tests run.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from './run-command.js'
import { waitFor } from './wait-for.js'

export const NGINX_EXAMPLE = fileURLToPath(new URL('../../../docs/nginx-capd.conf', import.meta.url))
const NGINX = process.env.CAPD_NGINX ?? 'nginx'

/** Why nginx cannot run here, or undefined when it can. */
export async function nginxUnavailableReason(): Promise<string | undefined> {
  try {
    await run([NGINX, '-v'])
    return undefined
  } catch (err) {
    return `nginx is not available (${(err as Error).message}; CAPD_NGINX names another binary)`
  }
}

export interface SiteSettings {
  httpsPort: number
  httpPort: number
  controllerPort: number
  certFile: string
  keyFile: string
}

/**
 * The example with test ports and certificates: listens on 127.0.0.1 only (no IPv6 listener, which
 * a test machine may lack). Throws if an expected line is gone, so an edited example cannot quietly
 * stop being what is tested.
 */
export function siteFromExample(example: string, site: SiteSettings): string {
  const swaps: Array<[RegExp, string]> = [
    [/^\s*listen \[::\]:\d+.*$\n/gm, ''],
    [/listen 443 ssl/g, `listen 127.0.0.1:${site.httpsPort} ssl`],
    [/listen 80;/g, `listen 127.0.0.1:${site.httpPort};`],
    [/ssl_certificate +\S+;/g, `ssl_certificate ${site.certFile};`],
    [/ssl_certificate_key +\S+;/g, `ssl_certificate_key ${site.keyFile};`],
    [/http:\/\/127\.0\.0\.1:8080;/g, `http://127.0.0.1:${site.controllerPort};`],
  ]
  let text = example
  for (const [pattern, replacement] of swaps) {
    if (text.search(pattern) < 0) throw new Error(`the nginx example no longer has ${pattern}`)
    text = text.replace(pattern, replacement)
  }
  return text
}

export interface NginxProcess {
  /** nginx's error log so far, for failure messages. */
  errorLog(): Promise<string>
  stop(): Promise<void>
}

/** Starts nginx (`daemon off`) under `dir` with the example site, and resolves once it accepts TLS connections. */
export async function startNginx(dir: string, site: SiteSettings): Promise<NginxProcess> {
  await mkdir(join(dir, 'temp'), { recursive: true })
  const errorLog = join(dir, 'error.log')
  const siteText = siteFromExample(await readFile(NGINX_EXAMPLE, 'utf8'), site)
  const conf = join(dir, 'nginx.conf')
  await writeFile(
    conf,
    [
      // Workers must reach this test's own directories (mode 0700), as the root that started them.
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} info;`,
      'events { worker_connections 256; }',
      'http {',
      `  access_log ${join(dir, 'access.log')};`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `  ${kind}_temp_path ${join(dir, 'temp', kind)};`,
      ),
      siteText,
      '}',
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-e', errorLog, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const log = async () => `${stderr}${await readFile(errorLog, 'utf8').catch(() => '')}`
  try {
    await waitFor(
      'nginx to accept connections',
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${await log()}`)
        return accepts(site.httpsPort)
      },
      { timeoutMs: 10_000 },
    )
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  return {
    errorLog: log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
