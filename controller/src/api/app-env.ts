/** The hono environment of the API: what middleware hands to handlers, and what handlers need. */

import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import type { ChangeFeed } from '../live/change-feed.js'
import type { OutboxSender } from '../notify/outbox-sender.js'
import type { PaymentProviders } from '../payments/provider.js'
import type { Store } from '../store/store.js'

export interface ApiDeps {
  store: Store
  env: DomainEnv
  /** Whether an agent has a live connection (the WebSocket hub answers; false without one). */
  isAgentConnected: (agentId: string) => boolean
  /**
   * Where the subscribers whose limits a commit may have changed go (the hub pushes them to the
   * connected agents), with those of them the commit shows to have no auto top-up on. createApp
   * subscribes it to the store's commits; routes never call it.
   */
  limitsChanged?: (subscriberIds: readonly string[], withoutAutoTopUp?: readonly string[]) => void
  /** Called after an agent is revoked, so the hub drops its live connection. */
  agentRevoked?: (agentId: string) => void
  /** Where pages learn that something changed (live updates); the agents' hub publishes to it. */
  changes?: ChangeFeed
  /** Where requests log (as `component: http`); default: nowhere. */
  logger?: Logger
  /** The payment providers configured (payments/providers.ts); none: only the balance pays. */
  payments?: PaymentProviders
  /**
   * The URL customers and providers reach the controller at (`--public-url`), for return and
   * callback URLs. Absent: return URLs follow the request's origin, and providers that call back
   * are not offered.
   */
  publicUrl?: string
  /**
   * What sends the notification outbox. Routes that make a delivery due outside a commit's usual
   * path (send again) kick it; absent, the delivery waits for the sender's next tick.
   */
  outbox?: OutboxSender
}

export interface AppEnv {
  Variables: {
    /** Who is calling, for the audit log and idempotency scope: `token:<id>`. */
    actor: string
  }
}

/** What the pages need: the deps with the change feed their live updates listen to (createApp makes one). */
export type PageDeps = ApiDeps & { changes: ChangeFeed }
