/** What the controller's parts tell its metrics, as named calls: prom-client stays in one module (prom-controller-metrics.ts). */

/** Usage entries of one agent batch, by what became of them. */
export interface UsageCounts {
  /** Bytes (down + up) of the entries not seen before, booked or not. */
  bytes: number
  booked: number
  /** Acked but not booked (kept as anomalies: not the agent's, or an epoch it may not start). */
  refused: number
  /** At or below the agent's high-water mark: a replay, booked before. */
  duplicate: number
}

/** A subscriber's limit version: pushed to an agent, or reported enforced by it. */
export interface LimitVersionOf {
  subscriberId: string
  limitVersion: number
}

export interface ControllerMetrics {
  /** One HTTP request answered: its route group (see routeGroup), status and duration. */
  httpRequest(group: string, status: number, seconds: number): void
  /** One usage batch was committed. */
  usageIngested(counts: UsageCounts): void
  /** Limits committed at `committedAtMs` (performance.now()) were pushed to a connected agent. */
  limitsPushed(limits: readonly LimitVersionOf[], committedAtMs: number): void
  /** An agent reported it enforces these versions (its state report was committed). */
  limitsEnforced(states: readonly LimitVersionOf[]): void
}

/** Metrics nobody reads: the default where none are asked for (tests, embedding). */
export const noMetrics: ControllerMetrics = {
  httpRequest: () => {},
  usageIngested: () => {},
  limitsPushed: () => {},
  limitsEnforced: () => {},
}
