/**
 * An agent for the agent's own tests: a fake controller, a state dir of its own, the config and
 * Agent.start, each undone (in reverse, by the test's afterEach) through the test's cleanup list.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agentToken } from '@capd/protocol'
import type { WebSocket } from 'ws'
import { Agent, type AgentDeps } from './agent.js'
import { loadAgentConfig } from './config.js'
import type { RouterDriver } from './drivers/driver.js'
import { type FakeController, fakeController, type Received } from './testing-fake-controller.js'

export interface TestAgentOptions {
  /** Names its id (`agt_<name>`), its token and its state dir: letters and digits. */
  name: string
  driver: RouterDriver
  /** What the fake controller does with each hello (nothing by default). */
  onHello?: (socket: WebSocket, hello: Received) => void
  /**
   * Config fields over the defaults: the fake controller, a token, the state dir, a simulated
   * router, and no poll of its own for a minute (both intervals 60 s).
   */
  config?: Record<string, unknown>
  deps?: AgentDeps
  /** The test's list of steps undone after it. */
  cleanup: (() => Promise<unknown>)[]
}

export interface TestAgent {
  controller: FakeController
  agent: Agent
  stateDir: string
}

export async function startTestAgent(options: TestAgentOptions): Promise<TestAgent> {
  const { name, cleanup } = options
  const controller = await fakeController(options.onHello)
  cleanup.push(() => controller.close())
  const stateDir = await mkdtemp(join(tmpdir(), `capd-${name}-`))
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
  const config = await loadAgentConfig({
    controller: controller.url,
    token: agentToken(`agt_${name}`, `${name}-secret-0123456789abcdef`),
    stateDir,
    pollIntervalMs: 60_000,
    fastPollIntervalMs: 60_000,
    router: { kind: 'simulated' },
    ...options.config,
  })
  const agent = await Agent.start(config, options.driver, options.deps)
  cleanup.push(() => agent.stop())
  return { controller, agent, stateDir }
}
