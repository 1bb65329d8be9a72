/** `capd <command> [options]`: one command for every part of capd. */
import { COMMANDS } from './commands.js'

export const USAGE = `Usage: capd <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(12)}${command.summary}`)
  .join('\n')}

capd <command> --help tells more about one command.`

export async function capd(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(USAGE)
    return name === undefined ? 2 : 0
  }
  if (name === '--version') return capd(['version'])
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!command) {
    console.error(`capd: no command "${name}"\n\n${USAGE}`)
    return 2
  }
  const run = await command.load()
  const code = await run(rest)
  return typeof code === 'number' ? code : undefined
}
