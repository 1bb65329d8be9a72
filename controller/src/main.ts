/** `pnpm controller` (from the source tree): `capd controller` under tsx. */
import { controllerCommand } from './commands/controller-command.js'

await controllerCommand(process.argv.slice(2))
