/** capd's structured logs, shared by the agent and the controller: one pino logger (JSON lines) made in main and passed down; secrets redacted. */
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino'

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

/** A JSON-lines logger to `destination` (default stdout); `name` becomes the `name` field of every line. */
export function createLogger(options: {
  name: string
  level?: LogLevel
  destination?: DestinationStream
}): RootLogger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  )
}

/** A logger that says nothing: the default where a caller passes none (tests, embedding). */
export const silentLogger: Logger = createLogger({ name: 'capd', level: 'silent' })

/** A real logger writing into memory, for tests: `lines` is every line written, as text. */
export function memoryLogger(level: LogLevel = 'debug'): {
  logger: Logger
  lines: string[]
  records(): Record<string, unknown>[]
} {
  const lines: string[] = []
  const destination = {
    write: (chunk: string) => void lines.push(...chunk.split('\n').filter((l) => l !== '')),
  }
  const logger = createLogger({ name: 'capd', level, destination })
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}
