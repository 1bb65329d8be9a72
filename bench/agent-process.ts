/**
 * A real agent as a child process, run exactly as `pnpm agent --config` runs it (node with the tsx
 * loader, no wrapper process), or as production runs the built bundle (`node capd-agent.mjs
 * --config`), so its pid is the agent's own and /proc/<pid>/status is its memory.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { reapOnExit, released } from './reaper.js'

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

/** Where the agent started for `dir` keeps its state: seed it first for an agent that starts with books. */
export const agentStateDir = (dir: string) => join(dir, 'agent-state')

export interface AgentProcess {
  readonly pid: number
  /** stdout + stderr so far, for failure messages. */
  output(): string
  /** Why it lost its controller connection so far, e.g. `1008 too_many_pending` → count; each loss means a reconnect and a full sync. */
  disconnects(): Map<string, number>
  /** SIGKILL, then resolves once the process is gone. */
  kill(): Promise<void>
}

export interface AgentProcessOptions {
  /** ws://127.0.0.1:<port> */
  controller: string
  token: string
  /** The agent config file and its stateDir go here. */
  dir: string
  netns: string
  pollIntervalMs?: number
  /** Resolve once connected to the controller (default), or once started (its books enforced). */
  readyWhen?: 'connected' | 'started'
  timeoutMs?: number
  /** The built `capd-agent.mjs` to run with plain node (and these node flags); default: the sources under tsx. */
  bundle?: { path: string; nodeFlags: readonly string[] }
}

/** Starts the agent and resolves once it is connected to the controller, or only started. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const { dir, readyWhen = 'connected', timeoutMs = 20_000 } = options
  const readyLine =
    readyWhen === 'connected' ? /connected to the controller/ : /"msg":"capd agent \S+ running/
  const configPath = join(dir, 'agent.json')
  await writeFile(
    configPath,
    JSON.stringify({
      controller: options.controller,
      token: options.token,
      stateDir: agentStateDir(dir),
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      router: { kind: 'nftables', netns: options.netns },
    }),
  )
  const { NODE_OPTIONS: _ignored, ...env } = process.env
  const script = options.bundle
    ? [...options.bundle.nodeFlags, options.bundle.path]
    : ['--import', TSX_LOADER, 'agent/src/main.ts']
  const child: ChildProcess = spawn(process.execPath, [...script, '--config', configPath], {
    cwd: options.bundle ? dir : REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  reapOnExit(child.pid)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      released(child.pid)
      resolve(code)
    })
  })
  let output = ''
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`agent not ${readyWhen} within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const take = (text: string) => {
      output += text
      if (readyLine.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.setEncoding('utf8').on('data', take)
    child.stderr!.setEncoding('utf8').on('data', take)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`agent exited (code ${code}):\n${output}`))
    })
  })
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  try {
    await ready
  } catch (error) {
    await kill()
    throw error
  }
  return {
    pid: child.pid!,
    output: () => output,
    disconnects: () => {
      const reasons = new Map<string, number>()
      for (const [, reason = '?'] of output.matchAll(/controller connection closed \(([^)]*)\)/g)) {
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
      }
      return reasons
    },
    kill,
  }
}

/** Disconnects in `after` that were not in `before`, as `3× 1008 too_many_pending`, or `0`. */
export function newDisconnects(
  before: Map<string, number>,
  after: Map<string, number>,
): { count: number; text: string } {
  const parts: string[] = []
  let count = 0
  for (const [reason, n] of after) {
    const more = n - (before.get(reason) ?? 0)
    if (more <= 0) continue
    count += more
    parts.push(`${more}× ${reason}`)
  }
  return { count, text: parts.length ? parts.join(', ') : '0' }
}
