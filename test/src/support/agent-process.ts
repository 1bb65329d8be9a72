/**
 * The real agent as a child process (the sources under tsx, or the build: see capd-program.ts)
 * with no wrapper process (as
 * `controller-process.ts` does for the controller), so a SIGKILL of the child kills the agent
 * itself, as a crash would. The config is written as JSON to a file the agent reads with `--config`.
 */
import type { ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { startCapdProgram } from './capd-program.js'
import { killAll } from './tsx-process.js'

const RUNNING = /capd agent \S+ running \(.*epoch (\w+)/

/** The agent's config file (see the README, "Agent"); written as given. */
export interface AgentConfigFile {
  controller?: string
  /** Instead of `controller`: several, in order of preference. */
  controllers?: string[]
  controllerTls?: { ca: string }
  token: string
  stateDir: string
  pollIntervalMs?: number
  fastPollIntervalMs?: number
  mode?: 'enforce' | 'observe'
  linkSpeedMbps?: number
  /** `HOST:PORT` for the agent's `/metrics`. */
  metricsListen?: string
  router:
    | { kind: 'nftables'; netns?: string }
    | { kind: 'simulated'; bytesPerSecond?: number }
    | {
        kind: 'radius'
        listen?: { address?: string; port?: number }
        clients: { address: string; secret: string; name?: string }[]
        /** As the agent config says (e.g. `{ kind: 'coa', … }`). */
        enforcer?: Record<string, unknown>
      }
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

/** Starts the agent with `--config <configPath>` (see capd-program.ts) and resolves once it says it is running. */
export async function startAgent(configPath: string, { timeoutMs = 20_000 } = {}): Promise<AgentProcess> {
  const proc = await startCapdProgram('agent', {
    args: ['--config', configPath],
    ready: RUNNING,
    what: 'agent',
    timeoutMs,
    live,
  })
  return {
    pid: proc.child.pid!,
    epoch: proc.ready,
    kill: async () => {
      await proc.signal('SIGKILL')
    },
    stop: () => proc.signal('SIGTERM'),
    output: proc.output,
  }
}

/** Kills every agent this module started that is still running. */
export function killAllAgents(): Promise<void> {
  return killAll(live)
}
