/**
 * A capd program as a child process: node with the tsx loader (or a built file with plain node) and
 * no wrapper process, so a SIGKILL of the child kills the program itself, as a crash would.
 * Resolves once its stdout matches `ready`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The repository root: programs run from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

export interface TsxProcess {
  readonly child: ChildProcess
  /** The first group of `ready` (or the whole match). */
  readonly ready: string
  /** Sends a signal unless the process is gone; resolves with the exit code once it is. */
  signal(name: NodeJS.Signals): Promise<number | null>
  /** stdout + stderr so far. */
  output(): string
}

export interface TsxStart {
  /** Script path from the repository root, e.g. `agent/src/main.ts`. */
  script: string
  args: readonly string[]
  env?: Record<string, string>
  ready: RegExp
  /** `agent`, `controller`: for error messages. */
  what: string
  timeoutMs: number
  /** The module's set of live children, for its kill-all. */
  live: Set<ChildProcess>
}

/** A program run by plain node: `script` is a built file's absolute path, run from `cwd`. */
export interface NodeStart extends TsxStart {
  cwd: string
}

export function startTsxProcess(start: TsxStart): Promise<TsxProcess> {
  return startProcess(['--import', TSX_LOADER, start.script], { ...start, cwd: REPO_ROOT })
}

export function startNodeProcess(start: NodeStart): Promise<TsxProcess> {
  return startProcess([start.script], start)
}

async function startProcess(nodeArgs: string[], start: NodeStart): Promise<TsxProcess> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env
  const child = spawn(process.execPath, [...nodeArgs, ...start.args], {
    cwd: start.cwd,
    env: { ...inherited, ...start.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  start.live.add(child)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      start.live.delete(child)
      resolve(code)
    })
  })
  let output = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    output += text
  })
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${start.what} did not start within ${start.timeoutMs} ms:\n${output}`))
    }, start.timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text
      const match = start.ready.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] ?? match[0])
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${start.what} exited (code ${code}) before it was ready:\n${output}`))
    })
  })
  return {
    child,
    ready,
    signal: async (name) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(name)
      return exited
    },
    output: () => output,
  }
}

/** SIGKILLs every child in `live` and waits until they are gone. */
export async function killAll(live: Set<ChildProcess>): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}
