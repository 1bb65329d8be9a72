/**
 * Staff alerts (no subscriber): an agent gone quiet and back, a payment provider's webhook refused,
 * the store's disk filling up. Each is keyed so a spell, an hour or a day alerts once.
 */
import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import type { Agent } from '../store/entities.js'
import type { Store, Tx } from '../store/store.js'
import { bytes, dateTime } from '../ui/format.js'
import { queueNotification } from './queue.js'

export const agentOfflineKey = (agentId: string, lastSeenAtMs: number) =>
  `agent.offline/${agentId}/${lastSeenAtMs}`

/** Decides that `agent`, last heard from at `agent.lastSeenAtMs`, is offline (once per spell). */
export async function decideAgentOffline(tx: Tx, env: DomainEnv, agent: Agent): Promise<boolean> {
  if (agent.revokedAtMs !== undefined || agent.lastSeenAtMs === undefined) return false
  const minutes = Math.floor((env.clock.now() - agent.lastSeenAtMs) / 60_000)
  const decided = await queueNotification(tx, env, {
    key: agentOfflineKey(agent.id, agent.lastSeenAtMs),
    event: 'agent.offline',
    agentId: agent.id,
    vars: {
      agentName: agent.name,
      lastSeen: dateTime(agent.lastSeenAtMs, env.timeZone),
      minutes: String(minutes),
    },
    data: {
      agentId: agent.id,
      agentName: agent.name,
      lastSeenAt: new Date(agent.lastSeenAtMs).toISOString(),
    },
  })
  return decided !== undefined
}

/**
 * Called as the agent connects, before its "last seen" moves on: if its silence was reported, says
 * it is back (once per spell, keyed by the spell's last-seen time).
 */
export async function decideAgentBack(tx: Tx, env: DomainEnv, agent: Agent): Promise<boolean> {
  if (agent.revokedAtMs !== undefined || agent.lastSeenAtMs === undefined) return false
  if (!(await tx.notifications.get(agentOfflineKey(agent.id, agent.lastSeenAtMs)))) return false
  const nowMs = env.clock.now()
  const decided = await queueNotification(tx, env, {
    key: `agent.back/${agent.id}/${agent.lastSeenAtMs}`,
    event: 'agent.back',
    agentId: agent.id,
    vars: {
      agentName: agent.name,
      lastSeen: dateTime(agent.lastSeenAtMs, env.timeZone),
      minutes: String(Math.floor((nowMs - agent.lastSeenAtMs) / 60_000)),
    },
    data: {
      agentId: agent.id,
      agentName: agent.name,
      lastSeenAt: new Date(agent.lastSeenAtMs).toISOString(),
      backAt: new Date(nowMs).toISOString(),
    },
  })
  return decided !== undefined
}

export type WebhookProvider = 'stripe' | 'mpesa'

/** `webhook.refused/stripe/2026-03-10T12`: at most one alert per provider and hour. */
export const webhookRefusedKey = (provider: WebhookProvider, atMs: number) =>
  `webhook.refused/${provider}/${new Date(atMs).toISOString().slice(0, 13)}`

/**
 * A payment provider's webhook was refused (a bad signature, an unknown order): staff should look,
 * because paid orders may be waiting. Its own transaction, after the refusal; a look-up first, so a
 * flood of forged requests costs reads, not writes. Never throws: the refusal's answer comes first.
 */
export async function noteWebhookRefused(
  deps: { store: Store; env: DomainEnv; logger: Logger },
  provider: WebhookProvider,
  reason: string,
): Promise<void> {
  const { store, env } = deps
  const nowMs = env.clock.now()
  const key = webhookRefusedKey(provider, nowMs)
  try {
    if (await store.peek((tx) => tx.notifications.get(key))) return
    await store.transact((tx) =>
      queueNotification(tx, env, {
        key,
        event: 'webhook.refused',
        vars: { provider: PROVIDER_NAMES[provider], reason, at: dateTime(nowMs, env.timeZone) },
        data: { provider, reason, at: new Date(nowMs).toISOString() },
      }),
    )
  } catch (err) {
    deps.logger.warn({ err, provider }, 'could not record the refused webhook alert')
  }
}

const PROVIDER_NAMES: Record<WebhookProvider, string> = { stripe: 'Stripe', mpesa: 'M-Pesa' }

export interface DiskSpace {
  freeBytes: number
  totalBytes: number
}

/** Below either: the store may soon fail to write, and a controller that cannot write stops. */
export const NEAR_FULL_FREE_SHARE = 0.1
export const NEAR_FULL_FREE_BYTES = 1024 ** 3

export const isNearFull = (space: DiskSpace) =>
  space.freeBytes < NEAR_FULL_FREE_BYTES || space.freeBytes < space.totalBytes * NEAR_FULL_FREE_SHARE

/** Decides `store.near_full` when the data directory's file system is nearly full (once a UTC day). */
export async function decideStoreNearFull(tx: Tx, env: DomainEnv, space: DiskSpace): Promise<boolean> {
  if (!isNearFull(space)) return false
  const nowMs = env.clock.now()
  const percentFree = space.totalBytes > 0 ? Math.floor((space.freeBytes * 100) / space.totalBytes) : 0
  const decided = await queueNotification(tx, env, {
    key: `store.near_full/${new Date(nowMs).toISOString().slice(0, 10)}`,
    event: 'store.near_full',
    vars: { free: bytes(space.freeBytes), total: bytes(space.totalBytes), percentFree: String(percentFree) },
    data: { freeBytes: space.freeBytes, totalBytes: space.totalBytes },
  })
  return decided !== undefined
}
