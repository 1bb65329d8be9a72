/** A running controller: the web app, the agents' hub, the limit refresher, auto top-up retries and housekeeping, on one port. */

import type { Logger } from '@capd/log'
import { type MetricsServer, serveMetrics } from '@capd/metrics'
import type { ListenAddress } from '@capd/protocol'
import type { Registry } from 'prom-client'
import { AgentHub } from './agent-hub/agent-hub.js'
import { AutoTopUpRetrier } from './agent-hub/auto-topup-retrier.js'
import { LimitRefresher } from './agent-hub/limit-refresher.js'
import { createApp } from './app.js'
import { pruneSessions } from './auth/sessions.js'
import type { DomainEnv } from './domain/env.js'
import { DEFAULT_RETENTION_DAYS, pruneRetained } from './domain/retention.js'
import { forwardedClientAddress } from './http/client-address.js'
import { FatalGate } from './http/fatal-gate.js'
import { Readiness } from './http/readiness.js'
import { type ControllerMetrics, noMetrics } from './metrics/controller-metrics.js'
import { promControllerMetrics } from './metrics/prom-controller-metrics.js'
import { AgentWatch, DEFAULT_AGENT_OFFLINE_MINUTES } from './notify/agent-watch.js'
import type { ChannelSender } from './notify/channel.js'
import { OutboxSender } from './notify/outbox-sender.js'
import { watchStoreSpace } from './notify/store-space-watch.js'
import { webhookSender } from './notify/webhook-sender.js'
import { OrderReconciler } from './payments/order-reconciler.js'
import type { PaymentProviders } from './payments/provider.js'
import { agentSocketServer, listen, nodeAgentEndpoint, type TlsFiles } from './server.js'
import { runJobOnce } from './store/job-once.js'
import type { Store } from './store/store.js'

/** Ended sessions are kept this long (for a look at recent logins), then forgotten. */
const SESSION_KEEP_MS = 24 * 3600_000
/** On stop, sends in flight get this long to be recorded before the store closes. */
const OUTBOX_STOP_MS = 5_000

export interface RunningController {
  port: number
  /** The metrics listener's port, when there is one. */
  metricsPort?: number
  hub: AgentHub
  /** Serving HTTPS: takes a new certificate for new connections (see `tls`). */
  setTls?(tls: TlsFiles): void
  /** Stops serving and closes the store. */
  stop(): Promise<void>
}

export async function runController(options: {
  store: Store
  env: DomainEnv
  /** The one logger; each part logs through a child of it. */
  logger: Logger
  port: number
  host: string
  /** Serve HTTPS (and wss:// to agents) with this certificate and key instead of plain HTTP. */
  tls?: TlsFiles
  /** Behind a reverse proxy: the header each proxy appends the client's address to. */
  clientAddressHeader?: string
  /** How many proxies append to it (default 1): the client is that many entries from the end. */
  trustedProxyHops?: number
  /**
   * Called once the store has failed for good and the requests of the last `fatalGraceMs` (1 s by
   * default) have had their 503: the owner exits the process (crash-only: restart from the disk).
   */
  onFatal?: (err: Error) => void
  fatalGraceMs?: number
  /**
   * The payment providers configured (payments/providers.ts); orders still waiting for one that
   * can be asked are asked about once a minute.
   */
  payments?: PaymentProviders
  /** The URL customers and providers reach the controller at. */
  publicUrl?: string
  /** Audit rows and idle usage marks older than this are forgotten (see domain/retention.ts). */
  retentionDays?: number
  /**
   * The notification channels configured (notify/channels.ts); the outbox is sent through them.
   * A delivery on a channel with no sender ends `failed`. Webhooks are always sent.
   */
  senders?: readonly ChannelSender[]
  /** Staff are alerted when an agent has had no connection this long (default 10; 0 = never). */
  agentOfflineMinutes?: number
  /** The data directory: staff are alerted when its file system is nearly full. */
  dataDir?: string
  /** The registry the controller's metrics go in, served at `listen` (`GET /metrics`) when given. */
  metrics?: { registry: Registry; listen?: ListenAddress }
}): Promise<RunningController> {
  const { store, env, clientAddressHeader, logger } = options
  // Gauges read the hub at scrape time, so it may be made after them.
  const metrics: ControllerMetrics = options.metrics
    ? promControllerMetrics(options.metrics.registry, {
        store,
        connectedAgents: (): number => hub.connectedCount,
      })
    : noMetrics
  const hub = new AgentHub({ store, env, logger, metrics })
  const portal = clientAddressHeader
    ? { clientAddress: forwardedClientAddress(clientAddressHeader, options.trustedProxyHops) }
    : {}
  const outbox = new OutboxSender({
    store,
    env,
    logger: logger.child({ component: 'notify' }),
    // Webhooks need no start-up settings (their endpoints are kept in the store): always a channel.
    senders: [...(options.senders ?? []), webhookSender({ clock: env.clock })],
  })
  const fatal = new FatalGate()
  const readiness = new Readiness(store, fatal)
  let fatalTimer: ReturnType<typeof setTimeout> | undefined
  store.onFailure?.((err) => {
    if (!fatal.trip(err)) return
    // The failing request's 503 is written after this listener returns; the grace lets it (and
    // any other in flight) reach its client before the owner ends the process.
    fatalTimer = setTimeout(() => options.onFatal?.(err), options.fatalGraceMs ?? 1000)
  })
  const app = createApp(
    {
      store,
      env,
      logger,
      ...hub.apiHooks(),
      ...(options.payments ? { payments: options.payments } : {}),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      outbox,
    },
    { agents: nodeAgentEndpoint(hub), portal, operatorUi: portal, fatal, readiness, metrics },
  )
  const server = await listen(app, options.port, options.host, {
    websocket: agentSocketServer(),
    ...(options.tls ? { tls: options.tls } : {}),
  })
  let metricsServer: MetricsServer | undefined
  if (options.metrics?.listen) {
    try {
      metricsServer = await serveMetrics(options.metrics.registry, options.metrics.listen)
    } catch (err) {
      await server.close()
      throw new Error(`the metrics listener: ${(err as Error).message}`)
    }
  }
  const refresher = new LimitRefresher({ store, env, logger })
  refresher.start()
  const autoTopUpRetrier = new AutoTopUpRetrier({ store, env, logger })
  autoTopUpRetrier.start()
  outbox.start()
  const agentWatch = new AgentWatch({
    store,
    env,
    logger,
    isConnected: (agentId) => hub.isConnected(agentId),
    offlineMinutes: options.agentOfflineMinutes ?? DEFAULT_AGENT_OFFLINE_MINUTES,
  })
  agentWatch.start()
  const stopSpaceWatch = options.dataDir
    ? watchStoreSpace({ store, env, logger, dataDir: options.dataDir })
    : () => {}
  const prune = setInterval(() => {
    const now = env.clock.now()
    runJobOnce(store, 'housekeeping', () =>
      store.transact(async (tx) => {
        await tx.idempotency.prune(now - env.idempotencyTtlMs)
        await pruneSessions(tx.portalSessions, now, SESSION_KEEP_MS)
        await pruneSessions(tx.operatorSessions, now, SESSION_KEEP_MS)
        await pruneRetained(tx, env, (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000)
      }),
    ).catch((err: Error) =>
      logger.warn({ err, component: 'store' }, 'housekeeping failed; trying again in an hour'),
    )
  }, 3600_000)
  prune.unref()
  const reconciler = new OrderReconciler({ store, env, logger }, options.payments ?? new Map())
  // One pass at a time: a slow provider must not pile passes up.
  let reconciling = false
  const reconcile = setInterval(() => {
    if (reconciling || !options.payments?.size) return
    reconciling = true
    runJobOnce(store, 'orders', () => reconciler.pass())
      .catch((err: Error) => logger.warn({ err, component: 'payments' }, 'order reconciliation failed'))
      .finally(() => {
        reconciling = false
      })
  }, 60_000)
  reconcile.unref()
  return {
    port: server.port,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    hub,
    ...(server.setTls ? { setTls: server.setTls } : {}),
    async stop() {
      readiness.stop()
      clearInterval(prune)
      clearInterval(reconcile)
      clearTimeout(fatalTimer)
      refresher.stop()
      autoTopUpRetrier.stop()
      agentWatch.stop()
      stopSpaceWatch()
      hub.close()
      await server.close()
      await metricsServer?.close()
      // A send still unrecorded when the store closes is sent again after its lease, same Message-ID.
      outbox.stop()
      await Promise.race([
        outbox.idle(),
        new Promise((resolve) => setTimeout(resolve, OUTBOX_STOP_MS).unref()),
      ])
      await store.close()
    },
  }
}
