/**
 * The controller's Prometheus metrics (prom-client) on a registry its owner made: counters fed
 * by the parts through ControllerMetrics and by each commit, gauges read from the store and the
 * hub at scrape time. Names are `capd_*`, in base units (bytes, seconds); money is counted in the
 * currency's integer minor units, as capd stores it.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Store } from '../store/store.js'
import type { ControllerMetrics } from './controller-metrics.js'
import { PushLatency } from './push-latency.js'

/** What the gauges read at scrape time. */
export interface MetricSources {
  store: Store
  /** Agents with a live connection now. */
  connectedAgents(): number
}

const STATES = ['open', 'blocked', 'throttled', 'suspended'] as const
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
const WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

export function promControllerMetrics(registry: Registry, sources: MetricSources): ControllerMetrics {
  const registers = [registry]
  const { store } = sources
  new Gauge({
    name: 'capd_subscribers',
    help: 'Live subscribers by the state their agent last reported (suspended: suspended by an operator).',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = new Map<string, number>(STATES.map((s) => [s, 0]))
      const rows = await store.peek((tx) => tx.subscribers.list())
      for (const sub of rows) {
        if (sub.deletedAtMs !== undefined) continue
        const state = sub.suspension ? 'suspended' : sub.state
        counts.set(state, (counts.get(state) ?? 0) + 1)
      }
      for (const [state, n] of counts) this.set({ state }, n)
    },
  })
  new Gauge({
    name: 'capd_agents',
    help: 'Agents enrolled and not revoked.',
    registers,
    async collect() {
      const agents = await store.peek((tx) => tx.agents.list())
      this.set(agents.filter((a) => a.revokedAtMs === undefined).length)
    },
  })
  new Gauge({
    name: 'capd_agents_connected',
    help: 'Agents with a live WebSocket connection.',
    registers,
    collect() {
      this.set(sources.connectedAgents())
    },
  })
  const usageBytes = new Counter({
    name: 'capd_usage_bytes_ingested_total',
    help: 'Bytes (down + up) of new usage entries received from agents, booked or not.',
    registers,
  })
  const usageEntries = new Counter({
    name: 'capd_usage_entries_total',
    help: 'Usage entries received from agents: booked, refused (kept as anomalies) or duplicate (a replay).',
    labelNames: ['outcome'],
    registers,
  })
  const topUps = new Counter({
    name: 'capd_topups_total',
    help: 'Top-ups created, by source (operator, auto, portal).',
    labelNames: ['source'],
    registers,
  })
  const revenue = new Counter({
    name: 'capd_topup_revenue_minor_units_total',
    help: 'Price of the top-ups created, in integer minor units of the currency (cents for USD).',
    labelNames: ['source', 'currency'],
    registers,
  })
  const deliveries = new Counter({
    name: 'capd_notification_deliveries_total',
    help: 'Notification delivery attempts by channel (email, sms, webhook, …) and outcome (sent, retry, failed).',
    labelNames: ['channel', 'outcome'],
    registers,
  })
  const pushLatency = new Histogram({
    name: 'capd_limit_push_latency_seconds',
    help: 'From the commit that changed a limit to the agent reporting it enforces that version.',
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const commits = new Histogram({
    name: 'capd_store_commit_duration_seconds',
    help: "One durable write of the store's group commit (log append with fsync, or a snapshot).",
    labelNames: ['kind'],
    buckets: WRITE_BUCKETS,
    registers,
  })
  const requests = new Counter({
    name: 'capd_http_requests_total',
    help: 'HTTP requests answered, by route group and status class.',
    labelNames: ['group', 'code'],
    registers,
  })
  const requestSeconds = new Histogram({
    name: 'capd_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route group.',
    labelNames: ['group'],
    buckets: LATENCY_BUCKETS,
    registers,
  })
  for (const outcome of ['booked', 'refused', 'duplicate']) usageEntries.inc({ outcome }, 0)
  for (const source of ['operator', 'auto', 'portal']) topUps.inc({ source }, 0)

  store.onCommit((commit) => {
    // Another controller's commit (several on one database): that controller counts it.
    if (commit.remote) return
    for (const topUp of commit.topUpsAdded) {
      topUps.inc({ source: topUp.source })
      // A free top-up adds nothing; a counter never goes down (reversals are not taken back).
      if (topUp.price.amount > 0)
        revenue.inc({ source: topUp.source, currency: topUp.price.currency }, topUp.price.amount)
    }
    for (const { channel, outcome } of commit.deliveryOutcomes) deliveries.inc({ channel, outcome })
  })
  store.onWrite?.((write) => commits.observe({ kind: write.kind }, write.seconds))
  const latency = new PushLatency((seconds) => pushLatency.observe(seconds))

  return {
    httpRequest(group, status, seconds) {
      requests.inc({ group, code: `${Math.floor(status / 100)}xx` })
      requestSeconds.observe({ group }, seconds)
    },
    usageIngested({ bytes, booked, refused, duplicate }) {
      usageBytes.inc(bytes)
      usageEntries.inc({ outcome: 'booked' }, booked)
      usageEntries.inc({ outcome: 'refused' }, refused)
      usageEntries.inc({ outcome: 'duplicate' }, duplicate)
    },
    limitsPushed: (limits, committedAtMs) => latency.pushed(limits, committedAtMs),
    limitsEnforced: (states) => latency.enforced(states),
  }
}
