/** The registry the controller's metrics are kept in: capd's own (`capd_*`) plus Node's standard process metrics (`process_*`, `nodejs_*`). */
import { collectDefaultMetrics, Registry } from 'prom-client'

export function controllerRegistry(): Registry {
  const registry = new Registry()
  // The standard names, unprefixed: stock Node.js dashboards and alerts read them as they are.
  collectDefaultMetrics({ register: registry })
  return registry
}
