/**
 * Where the nftables driver learns the PPP sessions of a Linux BRAS on this box (accel-ppp, or any
 * command listing `login address [ifname]`): re-read at every apply, since each login brings a new
 * address.
 */
import { spawn } from 'node:child_process'
import {
  ACCEL_COLUMNS,
  type ParsedSessions,
  parseAccelSessions,
  parseSessionLines,
  type Session,
} from './session-parse.js'

export type SessionSourceConfig =
  | {
      kind: 'accel-ppp'
      /** The accel-cmd binary; default `accel-cmd` on the PATH. */
      accelCmd?: string
      /** accel-pppd's CLI (`[cli] tcp=`) when not the default 127.0.0.1:2001. */
      host?: string
      port?: number
      timeoutMs?: number
    }
  | {
      kind: 'command'
      /** The program and its arguments, run without a shell. */
      argv: readonly string[]
      timeoutMs?: number
    }

export interface SessionSource {
  /** Every session now; rejects (saying which command and why) when the sessions cannot be read. */
  read(): Promise<Session[]>
}

/** Bad lines remembered so each is logged once; past this many the memory starts again. */
const MAX_REMEMBERED = 1000

export function createSessionSource(
  config: SessionSourceConfig,
  warn: (line: string) => void = () => {},
): SessionSource {
  const argv =
    config.kind === 'accel-ppp'
      ? [
          config.accelCmd ?? 'accel-cmd',
          ...(config.host ? ['-H', config.host] : []),
          ...(config.port ? ['-p', String(config.port)] : []),
          'show',
          'sessions',
          ACCEL_COLUMNS.join(','),
        ]
      : [...config.argv]
  const parse: (text: string) => ParsedSessions =
    config.kind === 'accel-ppp' ? parseAccelSessions : parseSessionLines
  const timeoutMs = config.timeoutMs ?? 5000
  const warned = new Set<string>()
  return {
    async read() {
      const shown = argv.join(' ')
      const text = await runCommand(argv, timeoutMs)
      let parsed: ParsedSessions
      try {
        parsed = parse(text)
      } catch (error) {
        throw new Error(`sessions from ${shown}: ${(error as Error).message}`)
      }
      for (const line of parsed.bad) {
        if (warned.has(line)) continue
        if (warned.size >= MAX_REMEMBERED) warned.clear()
        warned.add(line)
        warn(`sessions from ${shown}: line ignored: ${line}`)
      }
      return parsed.sessions
    },
  }
}

/** stdout of the command; rejects on a non-zero exit, a signal, a timeout or a missing program. */
function runCommand(argv: readonly string[], timeoutMs: number): Promise<string> {
  const shown = argv.join(' ')
  return new Promise((resolve, reject) => {
    const [command = '', ...args] = argv
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let settled = false
    const settle = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error) reject(error)
      else resolve(stdout)
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      settle(new Error(`reading sessions: ${shown} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text
    })
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text
    })
    child.once('error', (error) =>
      settle(new Error(`reading sessions: cannot run ${shown}: ${error.message}`)),
    )
    child.once('close', (code, signal) => {
      const why = stderr.trim().split('\n')[0]?.slice(0, 300)
      if (code === 0) settle()
      else
        settle(
          new Error(
            `reading sessions: ${shown} failed (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`,
          ),
        )
    })
  })
}
