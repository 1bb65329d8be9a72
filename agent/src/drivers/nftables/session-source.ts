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
      /** The accel-cmd program (an absolute path); default `accel-cmd` on the agent's PATH. */
      accelCmd?: string
      /** accel-pppd's CLI (`[cli] tcp=`) when not the default 127.0.0.1:2001. */
      host?: string
      port?: number
      timeoutMs?: number
    }
  | {
      kind: 'command'
      /** The program (an absolute path) and its arguments, run without a shell. */
      argv: readonly string[]
      timeoutMs?: number
    }

export interface SessionSource {
  /** Every session now; rejects (saying which command and why) when the sessions cannot be read. */
  read(): Promise<Session[]>
}

/** Bad lines remembered so each is logged once; past this many the memory starts again. */
const MAX_REMEMBERED = 1000
/** Output past this (~200,000 sessions of accel-cmd's table) fails the read: something is wrong. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024

export function createSessionSource(
  config: SessionSourceConfig,
  warn: (line: string) => void = () => {},
): SessionSource {
  const program = config.kind === 'accel-ppp' ? config.accelCmd : config.argv[0]
  if (program !== undefined && !program.startsWith('/')) {
    const field = config.kind === 'accel-ppp' ? 'accelCmd' : 'argv[0]'
    throw new RangeError(`sessions.${field} must be an absolute path, not "${program}"`)
  }
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

/**
 * stdout of the command; rejects on a non-zero exit, a signal, a timeout, too much output or a
 * missing program. The command runs in its own process group with only PATH and LANG from the
 * agent's environment; a timeout or too much output kills the whole group (a script's children too).
 */
function runCommand(argv: readonly string[], timeoutMs: number): Promise<string> {
  const shown = argv.join(' ')
  return new Promise((resolve, reject) => {
    const [command = '', ...args] = argv
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: commandEnv(),
    })
    const chunks: Buffer[] = []
    let bytes = 0
    let stderr = ''
    let settled = false
    const settle = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error) reject(error)
      else resolve(Buffer.concat(chunks).toString('utf8'))
    }
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    const timer = setTimeout(() => {
      killGroup()
      settle(new Error(`reading sessions: ${shown} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return
      bytes += chunk.length
      if (bytes > MAX_OUTPUT_BYTES) {
        killGroup()
        settle(new Error(`reading sessions: ${shown} printed more than ${MAX_OUTPUT_BYTES >> 20} MiB`))
        return
      }
      chunks.push(chunk)
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

/** The agent's PATH (to find the program's own helpers) and LANG; nothing else of its environment. */
function commandEnv(): NodeJS.ProcessEnv {
  const { PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG } = process.env
  return { PATH, ...(LANG ? { LANG } : {}) }
}
