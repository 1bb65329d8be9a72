/** `pnpm agent`: the agent's command line. */
const USAGE = `Usage: pnpm agent --config agent.json

Runs a capd agent beside one router: counts usage, enforces caps, syncs with the controller.
The config file format is described in the README ("Agent").`

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
} else {
  console.error(`capd agent: the agent is not part of this release yet.\n\n${USAGE}`)
  process.exit(2)
}
