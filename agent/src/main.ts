/**
 * The agent's own entry: `pnpm agent` (from the source tree, under tsx) and, bundled, `node
 * capd-agent.mjs`; its usage names whichever of the two started it.
 */
import { basename } from 'node:path'
import { agentCommand } from './agent-command.js'

const script = basename(process.argv[1] ?? '')
await agentCommand(process.argv.slice(2), script.endsWith('.mjs') ? `node ${script}` : 'pnpm agent')
