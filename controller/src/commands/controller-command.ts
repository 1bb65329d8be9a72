/** `capd controller`: open the store, bootstrap credentials, serve the app until told to stop. */

import { createLogger, type LogFormat, logFormat, type RootLogger } from '@capd/log'
import { processRegistry } from '@capd/metrics'
import { bootstrap } from '../auth/bootstrap.js'
import { systemClock } from '../clock.js'
import { parseControllerArgs, USAGE } from '../config.js'
import { runController } from '../controller.js'
import type { DomainEnv } from '../domain/env.js'
import { claimStoreCurrency } from '../domain/store-currency.js'
import { buildChannels } from '../notify/channels.js'
import { buildProviders } from '../payments/providers.js'
import { type RadiusAdmission, readRadiusAdmission } from '../radius/admission-config.js'
import type { TlsFiles } from '../server.js'
import { StoreFormatError } from '../store/data.js'
import { DataDirOwnerError } from '../store/data-dir-owner.js'
import { StoreCorruptError } from '../store/durable-json-file.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import {
  DatabaseNotReadyError,
  DatabaseUnreachableError,
  openPgStore,
  redactUrl,
} from '../store/postgres/open-pg-store.js'
import { readTlsFiles } from '../tls-files.js'
import { CAPD_VERSION } from '../version.js'

const IDEMPOTENCY_TTL_MS = 48 * 3600_000

/** Once made, every later failure is logged through it (a JSON line), not printed. */
let logger: RootLogger | undefined

export async function controllerCommand(argv: string[]): Promise<void> {
  try {
    await runControllerCommand(argv)
  } catch (err) {
    if (logger) logger.fatal({ err }, (err as Error).message)
    else console.error(`capd controller: ${(err as Error).message}`)
    process.exit(1)
  }
}

async function runControllerCommand(argv: string[]): Promise<void> {
  let config: ReturnType<typeof parseControllerArgs>
  try {
    config = parseControllerArgs(argv, process.env)
  } catch (err) {
    console.error(`capd controller: ${(err as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (config.help) {
    console.log(USAGE)
    return
  }
  const certPath = config['tls-cert']
  const keyPath = config['tls-key']
  let tls: TlsFiles | undefined
  let format: LogFormat
  let radiusAdmission: RadiusAdmission | undefined
  try {
    format = logFormat()
    tls = certPath && keyPath ? await readTlsFiles(certPath, keyPath) : undefined
    const radiusPath = config['radius-admission']
    radiusAdmission = radiusPath === undefined ? undefined : readRadiusAdmission(radiusPath)
  } catch (err) {
    console.error(`capd controller: ${(err as Error).message}`)
    process.exit(2)
  }

  const log = createLogger({ name: 'capd-controller', level: config['log-level'], format })
  logger = log
  let payments: ReturnType<typeof buildProviders>
  let notify: ReturnType<typeof buildChannels>
  try {
    payments = buildProviders(
      process.env,
      { currency: config.currency, publicUrl: config['public-url'] },
      log.child({ component: 'payments' }),
    )
    notify = buildChannels(process.env, log.child({ component: 'notify' }))
  } catch (err) {
    // Before the store opens: a half-configured provider or channel is a mistake to fix, not a
    // state to run in.
    log.fatal({ err }, `capd controller: ${(err as Error).message}`)
    process.exit(2)
  }
  const storeLog = log.child({ component: 'store' })
  const snapshotAfterLogBytes = config['snapshot-after-log-bytes']
  const opened =
    config.db !== undefined
      ? openPgStore({ url: config.db, warn: (line) => storeLog.warn(line) })
      : openLowdbStore(config.data, (line) => storeLog.warn(line), {
          ...(snapshotAfterLogBytes === undefined ? {} : { snapshotAfterLogBytes }),
        })
  const store = await opened.catch((err: Error) => {
    // A database not reachable yet (booting beside or after this controller, the network not up):
    // exit 1, which the unit restarts, so the controller comes up once the database does.
    if (err instanceof DatabaseNotReadyError) {
      log.fatal({ err }, `capd controller: ${err.message}; exiting with 1, to be retried`)
      process.exit(1)
    }
    // A store of another version, a damaged one, one that belongs to another user (run as root),
    // or a database that cannot be reached as given waits for the operator (capd migrate, capd
    // restore, sudo -u, the URL or login): exit 2, which the unit does not restart, rather than 1 and a
    // restart every 2 s.
    const waits =
      err instanceof StoreFormatError ||
      err instanceof StoreCorruptError ||
      err instanceof DataDirOwnerError ||
      err instanceof DatabaseUnreachableError
    if (!waits) throw err
    log.fatal({ err }, `capd controller: ${err.message}`)
    process.exit(2)
  })
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: config.tz,
    currency: config.currency,
    idempotencyTtlMs: IDEMPOTENCY_TTL_MS,
    channels: notify.channels,
    ...(config['public-url'] ? { publicUrl: config['public-url'] } : {}),
  }
  try {
    await claimStoreCurrency(store, env)
  } catch (err) {
    log.fatal({ err }, (err as Error).message)
    await store.close()
    process.exit(2)
  }
  const boot = await bootstrap(store, env, {
    bootstrapToken: process.env.CAPD_BOOTSTRAP_TOKEN,
    adminPassword: process.env.CAPD_ADMIN_PASSWORD,
  })
  if (boot.generatedToken) {
    // Shown once, to the person starting capd: a plain line, never a log record (logs are shipped).
    console.log(`capd controller: created an admin API token (shown only now): ${boot.generatedToken}`)
  }

  const controller = await runController({
    store,
    env,
    logger: log,
    port: config.port,
    host: config.host,
    ...(tls ? { tls } : {}),
    retentionDays: config['retention-days'],
    agentOfflineMinutes: config['agent-offline-minutes'],
    // The data dir's free space is watched only when the store is in it.
    ...(config.db === undefined ? { dataDir: config.data } : {}),
    payments,
    senders: notify.senders,
    ...(config['public-url'] ? { publicUrl: config['public-url'] } : {}),
    ...(config['client-address-header'] ? { clientAddressHeader: config['client-address-header'] } : {}),
    trustedProxyHops: config['trusted-proxy-hops'],
    ...(radiusAdmission ? { radiusAdmission } : {}),
    // Kept only when served: off, the controller counts nothing.
    ...(config['metrics-listen']
      ? { metrics: { registry: processRegistry(), listen: config['metrics-listen'] } }
      : {}),
    // Crash-only: after a failed write, memory and disk disagree; restart from the disk (once the
    // requests in flight have been told 503 store_unavailable).
    onFatal: (err) => {
      log.fatal({ err }, 'the store failed; exiting so a restart reads it from the disk')
      process.exit(1)
    },
  })
  // Every signal is handled before "listening" is said: whoever waits for that line may signal at once.
  const stop = async (signal: string) => {
    log.info({ signal }, `capd controller: ${signal}, stopping`)
    await controller.stop()
    process.exit(0)
  }
  process.on('SIGHUP', () => {
    if (!certPath || !keyPath || !controller.setTls) {
      // `systemctl reload` (and a certbot hook) must never stop a controller that has nothing to reload.
      log.info(
        { signal: 'SIGHUP' },
        'capd controller: SIGHUP, nothing to reload (no --tls-cert); still running',
      )
      return
    }
    const setTls = controller.setTls
    // A renewed certificate (certbot, say) is taken without a restart; a bad one leaves the old.
    readTlsFiles(certPath, keyPath).then(
      (next) => {
        setTls(next)
        log.info({ cert: certPath }, `capd controller: SIGHUP, serving the certificate in ${certPath} again`)
      },
      (err: Error) =>
        log.error({ err }, `capd controller: SIGHUP, keeping the certificate served: ${err.message}`),
    )
  })
  process.once('SIGINT', () => void stop('SIGINT'))
  process.once('SIGTERM', () => void stop('SIGTERM'))

  const url = `${tls ? 'https' : 'http'}://${config.host}:${controller.port}`
  const storeName = config.db === undefined ? `data ${config.data}` : `database ${redactUrl(config.db)}`
  const listen = config['metrics-listen']
  const metricsUrl =
    listen &&
    `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${controller.metricsPort}/metrics`
  log.info(
    {
      version: CAPD_VERSION,
      url,
      ...(config.db === undefined ? { data: config.data } : { db: redactUrl(config.db) }),
      zone: config.tz,
      ...(metricsUrl ? { metricsUrl } : {}),
    },
    `capd controller ${CAPD_VERSION} listening on ${url} (${storeName}, zone ${config.tz})${metricsUrl ? `; metrics at ${metricsUrl}` : ''}`,
  )
}
