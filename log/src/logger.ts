/**
 * capd's structured logs, shared by the agent and the controller: one pino logger made in main and
 * passed down; secrets redacted. JSON lines, or readable text for a person at a terminal.
 */
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino'
import { prettyDestination } from './pretty-destination.js'

/** What library code may call: pino's `Logger` satisfies it, and tests pass a collecting one. */
export interface LogFn {
  (fields: object, msg?: string): void
  (msg: string): void
}
export interface Logger {
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  child(bindings: Record<string, unknown>): Logger
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Field paths whose values never reach the output, wherever a caller puts them. */
export const REDACTED_PATHS = [
  'token',
  'password',
  'authorization',
  'cookie',
  '*.token',
  '*.password',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  // Payment providers' keys (Stripe's secret key and webhook signing secret).
  'secretKey',
  'webhookSecret',
  '*.secretKey',
  '*.webhookSecret',
]

/** The logger main makes (pino's, with `fatal` and `flush`); everything below takes a Logger. */
export type RootLogger = PinoLogger

export const LOG_FORMATS = ['json', 'pretty'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/**
 * `CAPD_LOG_FORMAT` when set (json or pretty; anything else is refused), else pretty when stdout
 * is a terminal and JSON lines when it is not (a service manager, a pipe, a file).
 */
export function logFormat(
  env: Record<string, string | undefined> = process.env,
  terminal: boolean = process.stdout.isTTY === true,
): LogFormat {
  const forced = env.CAPD_LOG_FORMAT
  if (forced === undefined || forced === '') return terminal ? 'pretty' : 'json'
  if (!(LOG_FORMATS as readonly string[]).includes(forced)) {
    throw new Error(`CAPD_LOG_FORMAT must be ${LOG_FORMATS.join(' or ')}, not ${JSON.stringify(forced)}`)
  }
  return forced as LogFormat
}

/**
 * A logger to `destination` (default stdout); `name` becomes the `name` field of every line.
 * `format` (default json) pretty writes each record as readable text instead, colored when
 * writing to a terminal; redaction is the same in both.
 */
export function createLogger(options: {
  name: string
  level?: LogLevel
  destination?: DestinationStream
  format?: LogFormat
}): RootLogger {
  const out =
    options.format === 'pretty'
      ? prettyDestination({
          colorize: !options.destination && process.stdout.isTTY === true,
          ...(options.destination ? { out: options.destination } : {}),
        })
      : (options.destination ?? pino.destination({ fd: 1, sync: true }))
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    out,
  )
}

/** A logger that says nothing: the default where a caller passes none (tests, embedding). */
export const silentLogger: Logger = createLogger({ name: 'capd', level: 'silent' })

/** A real logger writing into memory, for tests: `lines` is every line written, as text. */
export function memoryLogger(
  level: LogLevel = 'debug',
  format: LogFormat = 'json',
): {
  logger: Logger
  lines: string[]
  records(): Record<string, unknown>[]
} {
  const lines: string[] = []
  const destination = {
    write: (chunk: string) => void lines.push(...chunk.split('\n').filter((l) => l !== '')),
  }
  const logger = createLogger({ name: 'capd', level, destination, format })
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}
