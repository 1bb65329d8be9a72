/** `pnpm agent` (from the source tree): `capd agent` under tsx. */
import { agentCommand } from './agent-command.js'

await agentCommand(process.argv.slice(2))
