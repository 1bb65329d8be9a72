/** `capd agent --config agent.json`: run an agent until SIGINT/SIGTERM. */

import { parseArgs } from 'node:util'
import {
  createLogger,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  logFormat,
  type RootLogger,
} from '@capd/log'
import { type MetricsServer, processRegistry, serveMetrics } from '@capd/metrics'
import { Agent } from './agent.js'
import { type LoadedConfig, readAgentConfigFile } from './config.js'
import { createDriver } from './drivers/create-driver.js'
import type { AgentMetrics } from './metrics/agent-metrics.js'
import { promAgentMetrics } from './metrics/prom-agent-metrics.js'
import { AGENT_VERSION } from './version.js'

/** `program` is how the agent was started: `capd agent`, `node capd-agent.mjs` (the bundle), `pnpm agent`. */
const usage = (program: string) => `Usage: ${program} --config agent.json

Runs a capd agent beside one router: counts usage, enforces caps locally, syncs with the controller.

  --config FILE      the agent's JSON config (see the README, "Agent")
  --log-level LEVEL  fatal, error, warn, info, debug, trace or silent (default: CAPD_LOG_LEVEL,
                     else the config's logLevel, else info); logs go to stdout: readable text
                     on a terminal, JSON lines otherwise (CAPD_LOG_FORMAT=json|pretty forces one)
  -h, --help         this text`

/** Once made, every later failure is logged through it (a JSON line), not printed. */
let logger: RootLogger | undefined

export async function agentCommand(argv: string[], program = 'capd agent'): Promise<void> {
  try {
    await runAgentCommand(argv, usage(program))
  } catch (err) {
    if (logger) logger.fatal({ err }, (err as Error).message)
    else console.error(`capd agent: ${(err as Error).message}`)
    process.exit(1)
  }
}

async function runAgentCommand(argv: string[], usageText: string): Promise<void> {
  let values: { config?: string; 'log-level'?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }))
  } catch (err) {
    console.error(`capd agent: ${(err as Error).message}\n\n${usageText}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(usageText)
    return
  }
  if (!values.config) {
    console.error(`capd agent: --config is required\n\n${usageText}`)
    process.exit(2)
  }
  const config = await readAgentConfigFile(values.config).catch((err: Error) => {
    console.error(`capd agent: ${err.message}`)
    process.exit(2)
  })
  const level = values['log-level'] ?? process.env.CAPD_LOG_LEVEL ?? config.logLevel
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    console.error(`capd agent: --log-level must be one of ${LOG_LEVELS.join(', ')}\n\n${usageText}`)
    process.exit(2)
  }
  let format: LogFormat
  try {
    format = logFormat()
  } catch (err) {
    console.error(`capd agent: ${(err as Error).message}`)
    process.exit(2)
  }
  const root = createLogger({ name: 'capd-agent', level: level as LogLevel, format })
  logger = root
  const log = root.child({ agentId: config.agentId })
  // Before the router is touched: a metrics port already taken stops the agent at once. Until the
  // agent has started, a scrape has no gauges to show.
  let started: Agent | undefined
  const served = config.metricsListen ? await metricsListener(config, () => started) : undefined
  const driver = await createDriver(config, root)
  const agent = await Agent.start(config, driver, {
    logger: root,
    ...(served ? { metrics: served.metrics } : {}),
  })
  started = agent
  // Handled before "running" is said: whoever waits for that line may signal at once.
  const stop = async (signal: string) => {
    log.info({ signal }, `capd agent: ${signal}, stopping (enforcement stays in place at the router)`)
    await agent.stop()
    await served?.server.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
  log.info(
    {
      version: AGENT_VERSION,
      driver: config.router.kind,
      mode: config.mode,
      epoch: agent.epoch,
      stateDir: config.stateDir,
    },
    `capd agent ${config.agentId} running (${config.router.kind}, ${config.mode}, epoch ${agent.epoch}, state in ${config.stateDir})`,
  )
  if (served)
    log.info({ metricsPort: served.server.port }, `capd agent: metrics on port ${served.server.port}`)
}

/** The registry (capd_agent_* and Node's standard process metrics) and its listener. */
async function metricsListener(
  config: LoadedConfig,
  agent: () => Agent | undefined,
): Promise<{ metrics: AgentMetrics; server: MetricsServer }> {
  const registry = processRegistry()
  const metrics = promAgentMetrics(registry, () => agent()?.metricsView())
  try {
    return { metrics, server: await serveMetrics(registry, config.metricsListen!) }
  } catch (err) {
    throw new Error(`metricsListen: ${(err as Error).message}`)
  }
}
