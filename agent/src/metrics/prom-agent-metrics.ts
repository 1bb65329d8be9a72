/**
 * The agent's Prometheus metrics (prom-client) on a registry its owner made: counters and
 * histograms fed through AgentMetrics, gauges read from the running agent at scrape time. Names
 * are `capd_agent_*`, in base units (bytes, seconds). Kept small: the agent runs on small boxes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { AgentMetrics, AgentMetricsView } from './agent-metrics.js'

const STATES = ['open', 'blocked', 'throttled'] as const
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** `view` is undefined until the agent has started: its gauges are then absent. */
export function promAgentMetrics(registry: Registry, view: () => AgentMetricsView | undefined): AgentMetrics {
  const registers = [registry]
  const gauge = (name: string, help: string, read: (v: AgentMetricsView) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const v = view()
        if (v) this.set(read(v))
      },
    })
  gauge('capd_agent_subscribers', 'Subscribers this agent enforces.', (v) => v.subscribers)
  gauge(
    'capd_agent_journal_unacked_entries',
    'Usage journal entries the controller has not acked yet.',
    (v) => v.unackedEntries,
  )
  gauge('capd_agent_journal_bytes', "The usage journal file's size.", (v) => v.journalBytes)
  gauge('capd_agent_controller_connected', '1 while connected to the controller, else 0.', (v) =>
    v.controllerConnected ? 1 : 0,
  )
  new Gauge({
    name: 'capd_agent_controller_info',
    help: 'The controller the agent is connected to: 1 with its URL (scheme, host, port) as `url`; no sample while none is.',
    labelNames: ['url'],
    registers,
    collect() {
      // Only the connected one: a failover must not leave the last controller's sample behind.
      this.reset()
      const url = view()?.controllerUrl
      if (url) this.set({ url: new URL(url).origin }, 1)
    },
  })
  new Gauge({
    name: 'capd_agent_enforcement_subscribers',
    help: 'Subscribers by the state the router applies for them.',
    labelNames: ['state'],
    registers,
    collect() {
      const v = view()
      if (v) for (const state of STATES) this.set({ state }, v.states[state])
    },
  })
  const pollSeconds = new Histogram({
    name: 'capd_agent_poll_duration_seconds',
    help: "One poll: reading the router's counters, journalling and enforcing.",
    buckets: DURATION_BUCKETS,
    registers,
  })
  const polls = new Counter({
    name: 'capd_agent_polls_total',
    help: 'Polls of the router, by outcome (ok, failed).',
    labelNames: ['outcome'],
    registers,
  })
  const applySeconds = new Histogram({
    name: 'capd_agent_router_apply_duration_seconds',
    help: 'One apply of the rules at the router, by outcome (ok, failed).',
    labelNames: ['outcome'],
    buckets: DURATION_BUCKETS,
    registers,
  })
  const limits = new Counter({
    name: 'capd_agent_limits_applied_total',
    help: 'Subscriber limits from the controller (syncs and pushes) enforced at the router.',
    registers,
  })
  const reconnects = new Counter({
    name: 'capd_agent_reconnects_total',
    help: 'Connections to the controller after the first.',
    registers,
  })
  for (const outcome of ['ok', 'failed']) polls.inc({ outcome }, 0)
  let connections = 0
  return {
    polled(outcome, seconds) {
      polls.inc({ outcome })
      pollSeconds.observe(seconds)
    },
    applied: (outcome, seconds) => applySeconds.observe({ outcome }, seconds),
    limitsTaken: (count) => limits.inc(count),
    connected() {
      if (connections++ > 0) reconnects.inc()
    },
  }
}
