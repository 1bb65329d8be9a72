/**
 * What the browser tests click through: the real controller (with an `admin` UI user) and a real
 * agent on a simulated router whose counters move, seeded through the JSON API like an ISP would:
 * plans, top-up plans, a second agent that never connects, and customers with portal passwords.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AgentProcess, killAllAgents, startAgent, writeAgentConfig } from './agent-process.js'
import { type Answer, apiClient, type Call } from './api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './controller-process.js'
import { waitFor } from './wait-for.js'

export const MB = 1_000_000
export const GB = 1_000_000_000
const TOKEN = 'e2e-ui-admin-token-0123456789abcdef'
export const ADMIN = { username: 'admin', password: 'operator-pass-1234' } as const

export interface Customer {
  id: string
  name: string
  login: string
  password: string
}

export interface Seed {
  /** Open subscribers on it reach the 20 MB cap within seconds of simulated traffic. */
  smallPlanId: string
  /**
   * 5 GB: minutes of headroom at the simulated rate, more than a test file needs, yet the figure
   * of data left moves visibly (three significant digits: steps of 10 MB).
   */
  standardPlanId: string
  topUpPlans: { small: { id: string; label: string }; week: { id: string; label: string } }
  /** The agent process on the simulated router. */
  simulatedAgentId: string
  /** Enrolled, never connected: its subscribers' usage stands still. */
  idleAgentId: string
  /** Small plan, simulated agent, $20.00 balance: blocked within seconds. */
  alice: Customer
  /** Standard plan, simulated agent, $5.00 balance, a 2 GB week pass (invoiced): usage keeps moving. */
  bongani: Customer
  /** Standard plan, idle agent: nothing moves, so limits and remaining data are exact. */
  chen: Customer
  /** Throttling plan, idle agent. */
  dara: Customer
}

export interface NewCustomer {
  name: string
  login: string
  planId: string
  agentId: string
  address: string
  /** Opening balance in cents. */
  balanceCents?: number
}

export interface UiStack {
  readonly baseUrl: string
  readonly call: Call
  readonly seed: Seed
  readonly controller: ControllerProcess
  readonly agent: AgentProcess
  /** Another customer, created through the API (a portal password `<login>-portal-pw-1`). */
  addCustomer(c: NewCustomer): Promise<Customer>
  /**
   * SIGSTOP / SIGCONT of the agent process: a slow agent, so a test can see a page in the state
   * before the agent acted, however fast it usually is.
   */
  pauseAgent(): void
  resumeAgent(): void
  /** The subscriber as the JSON API shows it (usage, state, balance, autoTopUp). */
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field in tests
  subscriber(id: string): Promise<any>
  waitForState(id: string, state: 'open' | 'blocked' | 'throttled', timeoutMs?: number): Promise<void>
  /** Everything the controller and the agent printed, for failure messages. */
  logs(): string
  destroy(): Promise<void>
}

export interface UiStackOptions {
  bytesPerSecond?: number
  /** More of the controller's environment (a payment provider's settings). */
  controllerEnv?: () => Record<string, string>
}

export async function createUiStack({
  bytesPerSecond = 8_000_000,
  controllerEnv,
}: UiStackOptions = {}): Promise<UiStack> {
  const dir = await mkdtemp(join(tmpdir(), 'capd-ui-'))
  let controller: ControllerProcess | undefined
  let agent: AgentProcess | undefined
  const destroy = async () => {
    await agent?.kill().catch(() => {})
    await controller?.kill().catch(() => {})
    await killAllAgents()
    await killAllControllers()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    controller = await startController({
      dataDir: join(dir, 'data'),
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN, CAPD_ADMIN_PASSWORD: ADMIN.password, ...controllerEnv?.() },
    })
    const call = apiClient(controller.baseUrl, TOKEN)
    const post = async (path: string, body: object) => must(await call('POST', path, body), 201, path)
    const usd = (amount: number) => ({ amount, currency: 'USD' })

    const small = await post('/plans', { name: 'Starter 20 MB', capBytes: 20 * MB, onCap: 'block' })
    const standard = await post('/plans', { name: 'Standard 5 GB', capBytes: 5 * GB, onCap: 'block' })
    const family = await post('/plans', {
      name: 'Family 3 GB, then 1 Mbit/s',
      capBytes: 3 * GB,
      onCap: 'throttle',
      throttleKbps: 1000,
    })
    const pack = await post('/topup-plans', { name: '500 MB', bytes: 500 * MB, price: usd(300) })
    const week = await post('/topup-plans', {
      name: '2 GB week pass',
      bytes: 2 * GB,
      price: usd(900),
      validityDays: 7,
    })
    const simulated = await post('/agents', { name: 'tower-north (simulated)' })
    const idle = await post('/agents', { name: 'tower-south' })

    const addCustomer = async (c: NewCustomer): Promise<Customer> => {
      const { name, login, planId, agentId, address, balanceCents = 0 } = c
      const password = `${login}-portal-pw-1`
      const body = { name, login, password, email: `${login}@example.net`, planId, agentId, address }
      const { id } = await post('/subscribers', body)
      if (balanceCents > 0) {
        await post(`/subscribers/${id}/payments`, { amount: usd(balanceCents), reference: 'opening' })
      }
      return { id, name, login, password }
    }
    const customer = (
      name: string,
      login: string,
      planId: string,
      agentId: string,
      address: string,
      balanceCents: number,
    ) => addCustomer({ name, login, planId, agentId, address, balanceCents })
    const seed: Seed = {
      smallPlanId: small.id,
      standardPlanId: standard.id,
      topUpPlans: {
        small: { id: pack.id, label: '500 MB — $3.00' },
        week: { id: week.id, label: '2 GB week pass — $9.00' },
      },
      simulatedAgentId: simulated.id,
      idleAgentId: idle.id,
      alice: await customer('Alice Moreno', 'alice', small.id, simulated.id, '10.20.0.11', 2000),
      bongani: await customer('Bongani Dlamini', 'bongani', standard.id, simulated.id, '10.20.0.12', 500),
      chen: await customer('Chen Wei', 'chen', standard.id, idle.id, '10.30.0.13', 0),
      dara: await customer('Dara Okafor', 'dara', family.id, idle.id, '2001:db8:20::/64', 0),
    }

    // Some history for the pages to show: a week pass sold to Bongani, on an invoice.
    await post(`/subscribers/${seed.bongani.id}/topups`, { topUpPlanId: week.id })

    const configPath = join(dir, 'agent.json')
    await writeAgentConfig(configPath, {
      controller: controller.baseUrl.replace(/^http/, 'ws'),
      token: simulated.token,
      stateDir: join(dir, 'agent-state'),
      pollIntervalMs: 500,
      router: { kind: 'simulated', bytesPerSecond },
    })
    agent = await startAgent(configPath)
    const running = { controller, agent }
    await waitFor('the simulated agent is connected', async () => {
      const agents = must(await call('GET', '/agents'), 200, '/agents').items as Array<{
        id: string
        connected: boolean
      }>
      return agents.find((a) => a.id === simulated.id)?.connected === true
    })

    const stack: UiStack = {
      baseUrl: controller.baseUrl,
      call,
      seed,
      ...running,
      addCustomer,
      pauseAgent: () => process.kill(running.agent.pid, 'SIGSTOP'),
      resumeAgent: () => process.kill(running.agent.pid, 'SIGCONT'),
      subscriber: async (id) => must(await call('GET', `/subscribers/${id}`), 200, `/subscribers/${id}`),
      async waitForState(id, state, timeoutMs = 45_000) {
        await waitFor(
          `subscriber ${id} is ${state}`,
          async () => (await stack.subscriber(id)).state === state,
          {
            timeoutMs,
            intervalMs: 200,
          },
        )
      },
      logs: () => `--- controller\n${running.controller.output()}\n--- agent\n${running.agent.output()}`,
      destroy,
    }
    return stack
  } catch (error) {
    await destroy()
    throw error
  }
}

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in tests
function must(answer: Answer, status: number, what: string): any {
  if (answer.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`)
  }
  return answer.body
}
