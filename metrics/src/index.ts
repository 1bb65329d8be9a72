/** Prometheus plumbing the agent and the controller share: the registry they start from and the listener that serves it. */
export { type MetricsServer, serveMetrics } from './metrics-server.js'
export { processRegistry } from './process-registry.js'
