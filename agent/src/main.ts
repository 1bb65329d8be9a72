/** `pnpm agent --config agent.json`: run an agent until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util'
import { Agent } from './agent.js'
import { readAgentConfigFile } from './config.js'
import { createDriver } from './drivers/create-driver.js'

const USAGE = `Usage: pnpm agent --config agent.json

Runs a capd agent beside one router: counts usage, enforces caps locally, syncs with the controller.

  --config FILE   the agent's JSON config (see the README, "Agent")
  -h, --help      this text`

async function main(): Promise<void> {
  let values: { config?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }))
  } catch (err) {
    console.error(`capd agent: ${(err as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (!values.config) {
    console.error(`capd agent: --config is required\n\n${USAGE}`)
    process.exit(2)
  }
  const config = await readAgentConfigFile(values.config).catch((err: Error) => {
    console.error(`capd agent: ${err.message}`)
    process.exit(2)
  })
  const driver = await createDriver(config)
  const agent = await Agent.start(config, driver)
  console.log(
    `capd agent ${config.agentId} running (${config.router.kind}, ${config.mode}, epoch ${agent.epoch}, state in ${config.stateDir})`,
  )
  const stop = async (signal: string) => {
    console.log(`capd agent: ${signal}, stopping (enforcement stays in place at the router)`)
    await agent.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((err: Error) => {
  console.error(`capd agent: ${err.message}`)
  process.exit(1)
})
