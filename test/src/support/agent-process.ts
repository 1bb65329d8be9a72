/**
 * The real agent as a child process: node with the tsx loader and no wrapper process (as
 * `controller-process.ts` does for the controller), so a SIGKILL of the child kills the agent
 * itself, as a crash would. The config is written as JSON to a file the agent reads with `--config`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const RUNNING = /capd agent \S+ running \(.*epoch (\w+)/

/** The agent's config file (see the README, "Agent"); written as given. */
export interface AgentConfigFile {
  controller: string
  token: string
  stateDir: string
  pollIntervalMs?: number
  fastPollIntervalMs?: number
  mode?: 'enforce' | 'observe'
  linkSpeedMbps?: number
  router: { kind: 'nftables'; netns?: string } | { kind: 'simulated'; bytesPerSecond?: number }
}

export interface AgentProcess {
  readonly pid: number
  /** The journal epoch the agent printed when it started. */
  readonly epoch: string
  /** SIGKILL, then resolves once the process is gone (and reaped). */
  kill(): Promise<void>
  /** SIGTERM (a clean stop); resolves with the exit code. */
  stop(): Promise<number | null>
  /** stdout + stderr so far, for failure messages and log checks. */
  output(): string
}

// Every agent still running, so a failed test can still kill them all in afterAll.
const live = new Set<ChildProcess>()

export async function writeAgentConfig(path: string, config: AgentConfigFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
}

/** Starts `agent/src/main.ts --config <configPath>` and resolves once it says it is running. */
export async function startAgent(configPath: string, { timeoutMs = 20_000 } = {}): Promise<AgentProcess> {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, 'agent/src/main.ts', '--config', configPath],
    {
      cwd: REPO_ROOT,
      env: inherited,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
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

  const epoch = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`agent did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text
      const found = RUNNING.exec(output)?.[1]
      if (found) {
        clearTimeout(timer)
        resolve(found)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`agent exited (code ${code}) before it was running:\n${output}`))
    })
  })

  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name)
    return exited
  }
  return {
    pid: child.pid!,
    epoch,
    kill: async () => {
      await signal('SIGKILL')
    },
    stop: () => signal('SIGTERM'),
    output: () => output,
  }
}

/** Kills every agent this module started that is still running. */
export async function killAllAgents(): Promise<void> {
  const waits = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  )
  await Promise.all(waits)
}
