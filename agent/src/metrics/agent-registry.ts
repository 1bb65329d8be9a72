/** The registry the agent's metrics are kept in: capd's own (`capd_agent_*`) plus Node's standard process metrics (`process_*`, `nodejs_*`). */
import { collectDefaultMetrics, Registry } from 'prom-client'

export function agentRegistry(): Registry {
  const registry = new Registry()
  // The standard names, unprefixed: stock Node.js dashboards and alerts read them as they are.
  collectDefaultMetrics({ register: registry })
  // Gauges named like counters, which Prometheus's lint (promtool check metrics) refuses; each is
  // the sum of the by-type gauge of the same name without `_total`, which stays.
  for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name)
  return registry
}

const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const
