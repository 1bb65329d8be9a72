/** What an agent session needs from the hub that owns it, and the limits it holds an agent to. */
import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import type { Change } from '../live/change-feed.js'
import type { ControllerMetrics } from '../metrics/controller-metrics.js'
import type { Store } from '../store/store.js'
import type { AgentSession } from './agent-session.js'
import type { UsageLane } from './usage-lane.js'

export interface SessionLimits {
  /** Larger text messages are refused with `message_too_large` (close 1009). */
  maxMessageBytes: number
  /** Messages received but not yet handled; more means the agent is not waiting for answers. */
  maxPendingMessages: number
  /** A connection that has not said hello by then is closed. */
  helloTimeoutMs: number
}

/** What a session needs from the hub that owns it. */
export interface SessionHost {
  readonly store: Store
  readonly env: DomainEnv
  readonly limits: SessionLimits
  /** The hub's logger (`component: hub`); a session adds its `agentId`. */
  readonly logger: Logger
  readonly metrics: ControllerMetrics
  /** Where usage batches are booked (several agents' in one transaction where the store gains by it). */
  readonly usage: UsageLane
  /**
   * Runs the transaction that reads an agent's whole desired state (a hello's, a resync's), a few
   * at a time: a hundred agents reconnecting at once must not each hold a database connection
   * while reading thousands of subscribers, nor wait for one past the pool's timeout.
   */
  syncRead<T>(read: () => Promise<T>): Promise<T>
  /** A frame or a pong arrived: the connection is alive. */
  heard(session: AgentSession): void
  ended(session: AgentSession): void
  /** Usage was booked or an agent reconnected: run auto top-up (on the books), push what changed. */
  afterBooks(subscriberIds: readonly string[]): void
  /** Something pages show changed (committed): live pages refresh. */
  changed(change: Change): void
}
