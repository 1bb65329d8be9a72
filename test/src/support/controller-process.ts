/**
 * The real controller as a child process (the sources under tsx, or the build: see
 * capd-program.ts) with no wrapper process, so a SIGKILL of the child kills the controller itself,
 * as a crash would.
 */
import type { ChildProcess } from 'node:child_process'
import { startCapdProgram } from './capd-program.js'
import { killAll } from './tsx-process.js'

const LISTENING = /capd controller \S+ listening on (https?:\/\/\S+) /

export interface ControllerProcess {
  /** `http://127.0.0.1:<port>` (`https://` with `--tls-cert`) */
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
  /** More command-line options, e.g. `['--snapshot-after-log-bytes', '4096']`. */
  args?: readonly string[]
}

// Every child still running, so a failed test can still kill them all in afterAll.
const live = new Set<ChildProcess>()

export async function startController({
  dataDir,
  env = {},
  timeoutMs = 20_000,
  port = 0,
  args = [],
}: StartOptions): Promise<ControllerProcess> {
  const proc = await startCapdProgram('controller', {
    args: ['--port', String(port), '--host', '127.0.0.1', '--tz', 'UTC', '--data', dataDir, ...args],
    env,
    ready: LISTENING,
    what: 'controller',
    timeoutMs,
    live,
  })
  return {
    baseUrl: proc.ready,
    pid: proc.child.pid!,
    kill: async () => {
      await proc.signal('SIGKILL')
    },
    stop: () => proc.signal('SIGTERM'),
    pause: () => {
      proc.child.kill('SIGSTOP')
    },
    resume: () => {
      proc.child.kill('SIGCONT')
    },
    output: proc.output,
  }
}

/** Kills every controller this module started that is still running. */
export function killAllControllers(): Promise<void> {
  return killAll(live)
}
