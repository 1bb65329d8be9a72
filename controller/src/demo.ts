/** `pnpm demo`: a controller with sample plans, top-up plans and subscribers, on http://localhost:8080. */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgentHub } from './agent-hub/agent-hub.js'
import { LimitRefresher } from './agent-hub/limit-refresher.js'
import { createApp } from './app.js'
import { bootstrap } from './auth/bootstrap.js'
import { systemClock } from './clock.js'
import { enrolAgent } from './domain/agents.js'
import type { DomainEnv } from './domain/env.js'
import { recordPayment } from './domain/payments.js'
import { createPlan, createTopUpPlan } from './domain/plans.js'
import { createSubscriber } from './domain/subscribers.js'
import { createTopUp } from './domain/topups.js'
import { agentSocketServer, listen, nodeAgentEndpoint } from './server.js'
import { openLowdbStore } from './store/lowdb-store.js'

const GB = 1_000_000_000
const PORT = Number(process.env.PORT ?? 8080)

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'capd-demo-'))
  const store = await openLowdbStore(dataDir)
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: 'UTC',
    currency: 'USD',
    idempotencyTtlMs: 48 * 3600_000,
  }
  const token = 'demo-admin-token-not-for-production'
  await bootstrap(store, env, { bootstrapToken: token })
  const subscribers = await store.transact(async (tx) => {
    const basic = await createPlan(tx, env, 'system', {
      name: 'Basic 50 GB',
      capBytes: 50 * GB,
      onCap: 'block',
    })
    const family = await createPlan(tx, env, 'system', {
      name: 'Family 200 GB',
      capBytes: 200 * GB,
      onCap: 'throttle',
      throttleKbps: 1024,
    })
    await createTopUpPlan(tx, env, 'system', {
      name: '5 GB',
      bytes: 5 * GB,
      price: { amount: 300, currency: 'USD' },
    })
    await createTopUpPlan(tx, env, 'system', {
      name: '20 GB week pass',
      bytes: 20 * GB,
      price: { amount: 900, currency: 'USD' },
      validityDays: 7,
    })
    const { agent } = await enrolAgent(tx, env, 'system', 'tower-north')
    const people = [
      ['Alice Moreno', 'alice', basic.id, '10.20.0.11'],
      ['Bongani Dlamini', 'bongani', family.id, '10.20.0.12'],
      ['Chen Wei', 'chen', basic.id, '10.20.0.13'],
      ['Dara Okafor', 'dara', family.id, '2001:db8:20::/64'],
    ] as const
    const created = []
    for (const [name, login, planId, address] of people) {
      created.push(
        await createSubscriber(
          tx,
          env,
          'system',
          { name, login, planId, agentId: agent.id, address, billingDay: 1 },
          undefined,
        ),
      )
    }
    await recordPayment(tx, env, 'system', created[0]!.id, { amount: { amount: 2000, currency: 'USD' } })
    await createTopUp(tx, env, 'system', 'operator', created[0]!.id, {
      bytes: 5 * GB,
      price: { amount: 300, currency: 'USD' },
      chargeTo: 'balance',
    })
    return created
  })

  const hub = new AgentHub({ store, env })
  const app = createApp({ store, env, ...hub.apiHooks() }, { agents: nodeAgentEndpoint(hub) })
  const server = await listen(app, PORT, '127.0.0.1', { websocket: agentSocketServer() })
  const refresher = new LimitRefresher({ store, env, onChanged: (ids) => hub.limitsChanged(ids) })
  refresher.start()
  console.log(`capd demo running (data in ${dataDir})

  Operator API   http://localhost:${server.port}/api/v1   (Authorization: Bearer ${token})
  OpenAPI        http://localhost:${server.port}/api/v1/openapi.json
  Try            curl -H 'Authorization: Bearer ${token}' http://localhost:${server.port}/api/v1/subscribers/${subscribers[0]!.id}

Ctrl-C stops the demo.`)
  const stop = async () => {
    refresher.stop()
    hub.close()
    await server.close()
    await store.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}

main().catch((err: Error) => {
  console.error(`capd demo: ${err.message}`)
  process.exit(1)
})
