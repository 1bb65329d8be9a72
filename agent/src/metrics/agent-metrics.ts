/** What the agent tells its metrics, as named calls: prom-client stays in one module (prom-agent-metrics.ts). */
import type { EnforcementState } from '../drivers/driver.js'

export interface AgentMetrics {
  /** One poll of the router's counters ended (its journal write and enforcement included). */
  polled(outcome: 'ok' | 'failed', seconds: number): void
  /** One apply of the rules at the router ended. */
  applied(outcome: 'ok' | 'failed', seconds: number): void
  /** Limits from the controller (a sync or a push) were taken and enforced at the router. */
  limitsTaken(count: number): void
  /** The link to the controller came up. */
  connected(): void
}

/** What the gauges read at scrape time. */
export interface AgentMetricsView {
  subscribers: number
  /** Subscribers by the state the router applies for them. */
  states: Readonly<Record<EnforcementState, number>>
  /** Journal entries the controller has not acked yet. */
  unackedEntries: number
  /** The journal file's size. */
  journalBytes: number
  controllerConnected: boolean
  /** The controller connected to (as configured), undefined while none is. */
  controllerUrl: string | undefined
}

/** Metrics nobody reads: the default where none are asked for. */
export const noAgentMetrics: AgentMetrics = {
  polled: () => {},
  applied: () => {},
  limitsTaken: () => {},
  connected: () => {},
}
