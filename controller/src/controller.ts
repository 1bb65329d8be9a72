/** A running controller: the web app, the agents' hub, the limit refresher and housekeeping, on one port. */
import type { Context } from 'hono'
import { AgentHub } from './agent-hub/agent-hub.js'
import { LimitRefresher } from './agent-hub/limit-refresher.js'
import { createApp } from './app.js'
import { pruneSessions } from './auth/sessions.js'
import type { DomainEnv } from './domain/env.js'
import { DEFAULT_RETENTION_DAYS, pruneRetained } from './domain/retention.js'
import { agentSocketServer, listen, nodeAgentEndpoint } from './server.js'
import type { Store } from './store/store.js'

/** Ended sessions are kept this long (for a look at recent logins), then forgotten. */
const SESSION_KEEP_MS = 24 * 3600_000

export interface RunningController {
  port: number
  hub: AgentHub
  /** Stops serving and closes the store. */
  stop(): Promise<void>
}

export async function runController(options: {
  store: Store
  env: DomainEnv
  port: number
  host: string
  /** Behind a reverse proxy: the header holding the client's address (its first entry is used). */
  clientAddressHeader?: string
  /** Audit rows and idle usage marks older than this are forgotten (see domain/retention.ts). */
  retentionDays?: number
}): Promise<RunningController> {
  const { store, env, clientAddressHeader } = options
  const hub = new AgentHub({ store, env })
  const portal = clientAddressHeader
    ? { clientAddress: (c: Context) => c.req.header(clientAddressHeader)?.split(',')[0]?.trim() || undefined }
    : {}
  const app = createApp(
    { store, env, ...hub.apiHooks() },
    { agents: nodeAgentEndpoint(hub), portal, operatorUi: portal },
  )
  const server = await listen(app, options.port, options.host, { websocket: agentSocketServer() })
  const refresher = new LimitRefresher({ store, env, onChanged: (ids) => hub.limitsChanged(ids) })
  refresher.start()
  const prune = setInterval(() => {
    const now = env.clock.now()
    store
      .transact(async (tx) => {
        await tx.idempotency.prune(now - env.idempotencyTtlMs)
        await pruneSessions(tx.portalSessions, now, SESSION_KEEP_MS)
        await pruneSessions(tx.operatorSessions, now, SESSION_KEEP_MS)
        await pruneRetained(tx, env, (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000)
      })
      .catch(() => {})
  }, 3600_000)
  prune.unref()
  return {
    port: server.port,
    hub,
    async stop() {
      clearInterval(prune)
      refresher.stop()
      hub.close()
      await server.close()
      await store.close()
    },
  }
}
