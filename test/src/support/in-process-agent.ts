/**
 * The real agent run in the test's own process with a driver the test made (so the test can watch
 * the driver's router and the agent's log), reporting to a real controller.
 */
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { Agent } from '../../../agent/src/agent.js'
import { loadAgentConfig } from '../../../agent/src/config.js'
import type { RouterDriver } from '../../../agent/src/drivers/driver.js'

export interface InProcessAgent {
  agent: Agent
  /** Everything the agent logged. */
  log: string[]
}

/**
 * `router` in the config is a placeholder the agent never reads when handed a driver;
 * bench/routeros-topup.ts runs the agent as a child process with `"kind": "routeros"` instead.
 */
export async function startInProcessAgent(options: {
  controllerUrl: string
  token: string
  dir: string
  driver: RouterDriver
}): Promise<InProcessAgent> {
  const config = await loadAgentConfig({
    controller: options.controllerUrl.replace(/^http/, 'ws'),
    token: options.token,
    stateDir: join(options.dir, 'agent-state'),
    pollIntervalMs: 200,
    fastPollIntervalMs: 100,
    router: { kind: 'simulated' },
  })
  const { logger, lines } = memoryLogger()
  const agent = await Agent.start(config, options.driver, { logger })
  return { agent, log: lines }
}
