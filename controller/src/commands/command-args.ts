/** Command-line parsing shared by the store commands (backup, restore, migrate): strict, with usage on error. */
import { type ParseArgsConfig, parseArgs } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

export type Parsed = ReturnType<typeof parseArgs<{ options: Options; allowPositionals: true; strict: true }>>

/** The parsed arguments, or an error message (unknown option, missing value) to print with the usage. */
export function parseCommandArgs(
  argv: string[],
  options: Options,
): { ok: true; values: Parsed['values']; positionals: string[] } | { ok: false; error: string } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    return { ok: true, values, positionals }
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
}
