/**
 * Human-readable log lines (pino-pretty's formatter) written synchronously, for a person watching
 * a terminal. Synchronous and in-process, not a worker transport: a line logged just before the
 * process exits is not lost, and the bundle needs no worker file. One record is one line; fields
 * are JSON there, so a peer's text cannot start a line of its own or send escapes to the terminal.
 */
import { type DestinationStream, pino } from 'pino'
import { prettyFactory } from 'pino-pretty'

/** Formats each JSON line pino writes and hands it to `out` (default: stdout, fd 1). */
export function prettyDestination(
  options: { colorize?: boolean; out?: DestinationStream } = {},
): DestinationStream {
  const pretty = prettyFactory({
    colorize: options.colorize ?? false,
    singleLine: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
  })
  const out = options.out ?? pino.destination({ fd: 1, sync: true })
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        // JSON leaves U+2028/U+2029 as they are; some viewers break lines at them.
        if (line !== '')
          out.write(pretty(line).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`))
      }
    },
  }
}
