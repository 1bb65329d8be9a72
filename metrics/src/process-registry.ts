/**
 * A registry holding Node's standard process metrics (`process_*`, `nodejs_*`), to which the agent
 * and the controller each add their own (`capd_agent_*`, `capd_*`).
 */
import { collectDefaultMetrics, Registry } from 'prom-client'

export function processRegistry(): Registry {
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
