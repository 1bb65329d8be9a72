/**
 * The real controller as a child process: node with the tsx loader and no wrapper process, so a
 * SIGKILL of the child kills the controller itself, as a crash would.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const LISTENING = /capd controller \S+ listening on (http:\/\/\S+) /

export interface ControllerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string
  readonly pid: number
  /** SIGKILL, then resolves once the process is gone (and reaped, so its pid is free). */
  kill(): Promise<void>
  /** SIGTERM (a clean stop); resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGSTOP: the process stays, its sockets stay open, nothing is answered (a hung controller). */
  pause(): void
  /** SIGCONT after `pause()`. */
  resume(): void
  /** stdout + stderr so far, for failure messages. */
  output(): string
}

export interface StartOptions {
  dataDir: string
  env?: Record<string, string>
  timeoutMs?: number
  /** TCP port to listen on; default 0 (a free one). A fixed port lets agents reconnect after a restart. */
  port?: number
}

// Every child still running, so a failed test can still kill them all in afterAll.
const live = new Set<ChildProcess>()

export async function startController({
  dataDir,
  env = {},
  timeoutMs = 20_000,
  port = 0,
}: StartOptions): Promise<ControllerProcess> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      'controller/src/main.ts',
      ...['--port', String(port), '--host', '127.0.0.1', '--tz', 'UTC', '--data', dataDir],
    ],
    { cwd: REPO_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  live.add(child)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child)
      resolve(code)
    })
  })
  let output = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    output += text
  })

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`controller did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text
      const url = LISTENING.exec(output)?.[1]
      if (url) {
        clearTimeout(timer)
        resolve(url)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`controller exited (code ${code}) before listening:\n${output}`))
    })
  })

  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name)
    return exited
  }
  return {
    baseUrl,
    pid: child.pid!,
    kill: async () => {
      await signal('SIGKILL')
    },
    stop: () => signal('SIGTERM'),
    pause: () => {
      child.kill('SIGSTOP')
    },
    resume: () => {
      child.kill('SIGCONT')
    },
    output: () => output,
  }
}

/** Kills every controller this module started that is still running. */
export async function killAllControllers(): Promise<void> {
  const waits = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  )
  await Promise.all(waits)
}
