/**
 * `pnpm demo`: a controller on http://localhost:8080 with sample plans, top-up plans and
 * subscribers, and a real agent process on a simulated router whose counters move, so usage
 * grows, caps are reached and top-ups restore access while you watch: in the operator UI at `/`
 * and in the customer portal at `/portal`, with the logins it prints. Ctrl-C stops both.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger } from '@capd/log'
import { bootstrap } from './auth/bootstrap.js'
import { hashPassword } from './auth/passwords.js'
import { systemClock } from './clock.js'
import { runController } from './controller.js'
import { DEMO_HISTORY_DAYS, seedDemoHistory } from './demo-history.js'
import { enrolAgent } from './domain/agents.js'
import type { DomainEnv } from './domain/env.js'
import { recordPayment } from './domain/payments.js'
import { createPlan, createTopUpPlan } from './domain/plans.js'
import { claimStoreCurrency } from './domain/store-currency.js'
import { createSubscriber } from './domain/subscribers.js'
import { createTopUp } from './domain/topups.js'
import { openLowdbStore } from './store/lowdb-store.js'

const GB = 1_000_000_000
const DAY_MS = 86_400_000
const PORT = Number(process.env.PORT ?? 8080)
const ADMIN_TOKEN = 'demo-admin-token-not-for-production'
const ADMIN_PASSWORD = 'demo-admin-password'
/** Every demo customer's portal password is their login followed by this. */
const CUSTOMER_PASSWORD_SUFFIX = '-demo-password'
const usd = (amount: number) => ({ amount, currency: 'USD' })

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'capd-demo-'))
  const logger = createLogger({ name: 'capd-controller', level: 'warn' })
  const storeLog = logger.child({ component: 'store' })
  const store = await openLowdbStore(join(dir, 'data'), (line) => storeLog.warn(line))
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: 'UTC',
    currency: 'USD',
    idempotencyTtlMs: 48 * 3600_000,
  }
  await claimStoreCurrency(store, env)
  await bootstrap(store, env, { bootstrapToken: ADMIN_TOKEN, adminPassword: ADMIN_PASSWORD })
  const logins = ['alice', 'bongani', 'chen', 'dara'] as const
  const hashes = await Promise.all(logins.map((login) => hashPassword(login + CUSTOMER_PASSWORD_SUFFIX)))
  // Periods start two weeks ago, so the charts show half a period and the one before.
  const nowMs = env.clock.now()
  const billingDay = Math.min(28, new Date(nowMs - 14 * DAY_MS).getUTCDate())
  const longAgo = nowMs - (DEMO_HISTORY_DAYS + 1) * DAY_MS
  const at = (ms: number): DomainEnv => ({ ...env, clock: { now: () => ms } })
  const { agentToken, firstSubscriberId } = await store.transact(async (tx) => {
    const starter = await createPlan(tx, env, 'system', {
      name: 'Starter 1 GB',
      capBytes: 1 * GB,
      onCap: 'block',
    })
    const family = await createPlan(tx, env, 'system', {
      name: 'Family 3 GB, then 1 Mbit/s',
      capBytes: 3 * GB,
      onCap: 'throttle',
      throttleKbps: 1000,
    })
    const pack = await createTopUpPlan(tx, env, 'system', { name: '500 MB', bytes: GB / 2, price: usd(300) })
    await createTopUpPlan(tx, env, 'system', {
      name: '2 GB week pass',
      bytes: 2 * GB,
      price: usd(900),
      validityDays: 7,
    })
    const { agent, token } = await enrolAgent(tx, env, 'system', 'tower-north (simulated)')
    const people = [
      ['Alice Moreno', 'alice', starter.id, '10.20.0.11'],
      ['Bongani Dlamini', 'bongani', family.id, '10.20.0.12'],
      ['Chen Wei', 'chen', starter.id, '10.20.0.13'],
      ['Dara Okafor', 'dara', family.id, '2001:db8:20::/64'],
    ] as const
    const ids: string[] = []
    for (const [i, [name, login, planId, address]] of people.entries()) {
      const sub = await createSubscriber(
        tx,
        env,
        'system',
        { name, login, email: `${login}@example.net`, planId, agentId: agent.id, address, billingDay },
        hashes[i],
      )
      // Customers for a while already: the month of history below is theirs.
      await tx.subscribers.update({ ...sub, createdAtMs: longAgo })
      ids.push(sub.id)
    }
    // Alice can buy top-ups in the portal once she runs out.
    await recordPayment(tx, env, 'system', ids[0]!, { amount: usd(2000) })
    // Chen tops up by himself when he runs out, while his balance lasts, and may change that himself.
    await recordPayment(tx, env, 'system', ids[2]!, { amount: usd(1000) })
    await tx.subscribers.update({
      ...(await tx.subscribers.get(ids[2]!))!,
      autoTopUp: { enabled: true, topUpPlanId: pack.id, maxPerPeriod: 3, customerMayChange: true },
    })
    // Alice bought a 500 MB pack with her balance mid-period: her chart shows it from that day.
    await createTopUp(tx, at(nowMs - 6 * DAY_MS), 'system', 'operator', ids[0]!, {
      topUpPlanId: pack.id,
      chargeTo: 'balance',
    })
    const shares = [1.1 * GB, 1.8 * GB, 0.6 * GB, 1.2 * GB]
    for (const [i, id] of ids.entries()) {
      await seedDemoHistory(tx, env, { subscriberId: id, periodBytes: shares[i]!, seed: i + 1 })
    }
    return { agentToken: token, firstSubscriberId: ids[0]! }
  })

  const controller = await runController({ store, env, logger, port: PORT, host: '127.0.0.1' })
  const agentConfig = join(dir, 'agent.json')
  await writeFile(
    agentConfig,
    JSON.stringify({
      controller: `ws://127.0.0.1:${controller.port}`,
      token: agentToken,
      stateDir: join(dir, 'agent-state'),
      router: { kind: 'simulated', bytesPerSecond: 8_000_000 },
    }),
  )
  const agent = startAgent(agentConfig)
  const base = `http://localhost:${controller.port}`
  const api = `${base}/api/v1`
  console.log(`capd demo running (files in ${dir})

  Operator UI    ${base}/          login admin / ${ADMIN_PASSWORD}
  Customer portal ${base}/portal   login alice / alice${CUSTOMER_PASSWORD_SUFFIX} (also bongani, chen, dara)
  Operator API   ${api}   (Authorization: Bearer ${ADMIN_TOKEN})
  OpenAPI        ${api}/openapi.json
  Agent          one agent on a simulated router; subscribers use about 8 MB/s each

  Watch usage    curl -s -H 'Authorization: Bearer ${ADMIN_TOKEN}' ${api}/subscribers
  Top up Alice   curl -s -H 'Authorization: Bearer ${ADMIN_TOKEN}' ${api}/subscribers/${firstSubscriberId}/topups \\
                   -d '{"bytes": 500000000, "price": {"amount": 300, "currency": "USD"}}'

Ctrl-C stops the demo.`)

  const stop = async () => {
    agent.kill('SIGTERM')
    await controller.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}

/** The agent runs as its own process, exactly as `pnpm agent --config` would run it. */
function startAgent(configPath: string): ChildProcess {
  const require = createRequire(import.meta.url)
  const tsx = require.resolve('tsx')
  const main = fileURLToPath(new URL('../../agent/src/main.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', tsx, main, '--config', configPath], { stdio: 'inherit' })
  child.once('exit', (code) => {
    if (code) console.error(`capd demo: the agent exited (${code})`)
  })
  return child
}

main().catch((err: Error) => {
  console.error(`capd demo: ${err.message}`)
  process.exit(1)
})
