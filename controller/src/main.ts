/** `pnpm controller`: open the store, bootstrap credentials, serve the app until told to stop. */
import { bootstrap } from './auth/bootstrap.js'
import { systemClock } from './clock.js'
import { parseControllerArgs, USAGE } from './config.js'
import { runController } from './controller.js'
import type { DomainEnv } from './domain/env.js'
import { claimStoreCurrency } from './domain/store-currency.js'
import { openLowdbStore } from './store/lowdb-store.js'
import { CAPD_VERSION } from './version.js'

const IDEMPOTENCY_TTL_MS = 48 * 3600_000

async function main(): Promise<void> {
  let config: ReturnType<typeof parseControllerArgs>
  try {
    config = parseControllerArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`capd controller: ${(err as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (config.help) {
    console.log(USAGE)
    return
  }
  if (config.db !== undefined) {
    console.error('capd controller: --db (PostgreSQL) is not available in this release; use --data DIR')
    process.exit(2)
  }

  const snapshotAfterLogBytes = config['snapshot-after-log-bytes']
  const store = await openLowdbStore(config.data, (line) => console.error(line), {
    ...(snapshotAfterLogBytes === undefined ? {} : { snapshotAfterLogBytes }),
  })
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: config.tz,
    currency: config.currency,
    idempotencyTtlMs: IDEMPOTENCY_TTL_MS,
  }
  try {
    await claimStoreCurrency(store, env)
  } catch (err) {
    console.error(`capd controller: ${(err as Error).message}`)
    await store.close()
    process.exit(2)
  }
  const boot = await bootstrap(store, env, {
    bootstrapToken: process.env.CAPD_BOOTSTRAP_TOKEN,
    adminPassword: process.env.CAPD_ADMIN_PASSWORD,
  })
  if (boot.generatedToken) {
    console.log(`capd controller: created an admin API token (shown only now): ${boot.generatedToken}`)
  }

  const controller = await runController({
    store,
    env,
    port: config.port,
    host: config.host,
    retentionDays: config['retention-days'],
    ...(config['client-address-header'] ? { clientAddressHeader: config['client-address-header'] } : {}),
    trustedProxyHops: config['trusted-proxy-hops'],
    // Crash-only: after a failed write, memory and disk disagree; restart from the disk (once the
    // requests in flight have been told 503 store_unavailable).
    onFatal: (err) => {
      console.error(`capd controller: ${err.message}`)
      process.exit(1)
    },
  })
  console.log(
    `capd controller ${CAPD_VERSION} listening on http://${config.host}:${controller.port} (data ${config.data}, zone ${config.tz})`,
  )

  const stop = async (signal: string) => {
    console.log(`capd controller: ${signal}, stopping`)
    await controller.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((err: Error) => {
  console.error(`capd controller: ${err.message}`)
  process.exit(1)
})
