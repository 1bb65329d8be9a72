/** An app on an in-memory store with a hand-moved clock and an admin token, for route tests. */

import { memoryLogger } from '@capd/log'
import type { Hono } from 'hono'
import type { Registry } from 'prom-client'
import { AgentHub, type AgentHubOptions } from '../agent-hub/agent-hub.js'
import { type AppOptions, createApp } from '../app.js'
import { bootstrap } from '../auth/bootstrap.js'
import { manualClock } from '../clock.js'
import type { DomainEnv } from '../domain/env.js'
import { type ControllerMetrics, noMetrics } from '../metrics/controller-metrics.js'
import { promControllerMetrics } from '../metrics/prom-controller-metrics.js'
import type { ChannelSender } from '../notify/channel.js'
import { OutboxSender } from '../notify/outbox-sender.js'
import type { Renderer } from '../notify/render.js'
import { agentSocketServer, listen, nodeAgentEndpoint } from '../server.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import type { Store } from '../store/store.js'

export const TEST_TOKEN = 'test-admin-token-0123456789abcdef'
/** The `admin` user's password for the operator UI. */
export const TEST_ADMIN_PASSWORD = 'test-admin-password-1'

export interface Reply {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field in tests
  body: any
  headers: Headers
}

export interface TestAppOptions {
  nowMs?: number
  timeZone?: string
  /** The controller's currency (default USD). */
  currency?: string
  /** `--public-url`. */
  publicUrl?: string
  bodyLimitBytes?: number
  hub?: Partial<Omit<AgentHubOptions, 'store' | 'env'>>
  /** More of createApp's options (login throttles, client addresses). */
  app?: Omit<AppOptions, 'agents' | 'bodyLimitBytes'>
  /**
   * Notification channels: the app gets an outbox sender through them (not started: a test sends
   * with `outbox.pass()`, or `kick()` then `idle()`, moving `clock` for retries). `channels`
   * defaults to the customer channels of `senders`.
   */
  notify?: { senders: readonly ChannelSender[]; channels?: ReadonlySet<'email' | 'sms'>; render?: Renderer }
  /** The controller's metrics go in this registry (none are kept without one). */
  metrics?: Registry
  /**
   * Run on this store (a data dir's, a database's) instead of an in-memory document; `data` and
   * `snapshot` then describe an unused empty document.
   */
  store?: Store
}

export async function testApp(options: TestAppOptions = {}) {
  const clock = manualClock(options.nowMs ?? Date.parse('2026-03-10T12:00:00Z'))
  const data = emptyData()
  const store: Store = options.store ?? new DocumentStore(data, null)
  const env: DomainEnv = {
    clock,
    timeZone: options.timeZone ?? 'UTC',
    currency: options.currency ?? 'USD',
    idempotencyTtlMs: 24 * 3600_000,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.notify
      ? { channels: options.notify.channels ?? customerChannels(options.notify.senders) }
      : {}),
  }
  await bootstrap(store, env, { bootstrapToken: TEST_TOKEN, adminPassword: TEST_ADMIN_PASSWORD })
  /** What the hub logged: its JSON lines, as text. */
  const { logger, lines: hubLog } = memoryLogger()
  const registry = options.metrics
  const metrics: ControllerMetrics = registry
    ? promControllerMetrics(registry, { store, connectedAgents: (): number => hub.connectedCount })
    : noMetrics
  const hub = new AgentHub({ store, env, logger, metrics, ...options.hub })
  /** What the outbox logged, as text. */
  const { logger: notifyLogger, lines: notifyLog } = memoryLogger()
  const outbox = options.notify
    ? new OutboxSender({
        store,
        env,
        logger: notifyLogger,
        senders: options.notify.senders,
        ...(options.notify.render ? { render: options.notify.render } : {}),
      })
    : undefined
  const app: Hono = createApp(
    { store, env, ...hub.apiHooks(), ...(outbox ? { outbox } : {}) },
    {
      ...options.app,
      ...(registry ? { metrics } : {}),
      agents: nodeAgentEndpoint(hub),
      ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    },
  )

  /** A real server on 127.0.0.1 (for the agents' WebSocket); `close` also ends the hub. */
  async function serve(): Promise<{ port: number; wsUrl: string; close(): Promise<void> }> {
    const server = await listen(app, 0, '127.0.0.1', { websocket: agentSocketServer() })
    return {
      port: server.port,
      wsUrl: `ws://127.0.0.1:${server.port}/agent/v1/ws`,
      close: async () => {
        hub.close()
        await server.close()
      },
    }
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', ...headers },
    }
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
    const res = await app.request(new Request(`http://localhost/api/v1${path}`, init))
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
  }

  /** The whole document as JSON: compare before and after to show a refused request changed nothing. */
  const snapshot = () => JSON.stringify(data)

  /** A plan, a top-up plan, an agent and a subscriber, ready to top up. */
  async function seed() {
    const plan = (await call('POST', '/plans', { name: 'Basic 100 GB', capBytes: 100e9, onCap: 'block' }))
      .body
    const topUpPlan = (
      await call('POST', '/topup-plans', {
        name: '10 GB',
        bytes: 10e9,
        price: { amount: 500, currency: 'USD' },
      })
    ).body
    const agent = (await call('POST', '/agents', { name: 'tower-1' })).body
    const subscriber = (
      await call('POST', '/subscribers', {
        name: 'Alice',
        login: 'alice',
        planId: plan.id,
        agentId: agent.id,
        address: '10.0.0.5',
      })
    ).body
    return { plan, topUpPlan, agent, subscriber }
  }

  return { app, store, env, clock, data, hub, hubLog, outbox, notifyLog, call, snapshot, seed, serve }
}

function customerChannels(senders: readonly ChannelSender[]): Set<'email' | 'sms'> {
  const out = new Set<'email' | 'sms'>()
  for (const { channel } of senders) if (channel !== 'webhook') out.add(channel)
  return out
}
