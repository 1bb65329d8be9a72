/**
 * What restoring an older backup means for an agent's usage: the usage marks (per agent and
 * journal epoch) go back to the backup's, the agent still holds every entry it was not acked, and
 * entries the backup already holds are ignored when they come again. Booked once, never twice; what
 * was acked after the backup (and so dropped from the agent's journal) is lost, and audited.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Usage } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../clock.js'
import { takeBackup } from '../store/backup.js'
import type { DocumentStore } from '../store/document-store.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import { restoreBackup } from '../store/restore.js'
import { usage } from '../testing/test-agent.js'
import { enrolAgent } from './agents.js'
import type { DomainEnv } from './env.js'
import { createPlan } from './plans.js'
import { createSubscriber } from './subscribers.js'
import { ingestUsage } from './usage-ingest.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const env: DomainEnv = {
  clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
  timeZone: 'UTC',
  currency: 'USD',
  idempotencyTtlMs: 3600_000,
}

/** A live store with one agent and subscriber, booked up to seq 3 of journal epoch e1 (100 bytes each). */
async function liveStore() {
  const root = await mkdtemp(join(tmpdir(), 'capd-restored-usage-'))
  dirs.push(root)
  const store = await openLowdbStore(join(root, 'live'), () => {})
  const { agentId, subscriberId } = await store.transact(async (tx) => {
    const plan = await createPlan(tx, env, 'system', { name: 'p', capBytes: 1e12, onCap: 'block' })
    const { agent } = await enrolAgent(tx, env, 'system', 'a')
    const sub = await createSubscriber(
      tx,
      env,
      'system',
      { name: 's', login: 's', planId: plan.id, agentId: agent.id, address: '10.0.0.1', billingDay: 1 },
      undefined,
    )
    return { agentId: agent.id, subscriberId: sub.id }
  })
  const entries = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, subscriberId, down: 100 }))
  const send = (s: DocumentStore, from: number, to: number) =>
    s.transact((tx) => ingestUsage(tx, env, agentId, usage('e1', entries(from, to)) as Usage))
  const used = (s: DocumentStore) => s.peek(async (tx) => (await tx.subscribers.get(subscriberId))!.usedBytes)
  await send(store, 1, 3)
  return { root, store, send, used }
}

/** Takes a backup now, lets `after` book more on the live store, then restores the backup and opens it. */
async function restoreOlder(live: Awaited<ReturnType<typeof liveStore>>, after: () => Promise<unknown>) {
  const backup = await takeBackup(join(live.root, 'live'), { capdVersion: 'test' })
  await after()
  await live.store.close()
  await restoreBackup(Buffer.from(backup.text), 'backup', join(live.root, 'restored'))
  return openLowdbStore(join(live.root, 'restored'), () => {})
}

describe('an agent after its controller is restored from an older backup', () => {
  it('books what the agent still holds once; what was acked after the backup is lost and audited', async () => {
    const live = await liveStore()
    const restored = await restoreOlder(live, async () => {
      // Acked after the backup: the agent drops 4..6 from its journal.
      expect((await live.send(live.store, 4, 6)).ack.seq).toBe(6)
    })
    expect(await live.used(restored)).toBe(300)
    // The agent reconnects and sends what it still journals (7, 8), then sends it again.
    const first = await live.send(restored, 7, 8)
    const again = await live.send(restored, 7, 8)
    expect(first.ack.seq).toBe(8)
    expect(again).toEqual({
      ack: { epoch: 'e1', seq: 8 },
      subscriberIds: [],
      autoTopUpIds: [],
      counts: { booked: 0, bytes: 0, duplicate: 2, refused: 0 },
    })
    expect(await live.used(restored)).toBe(500)
    expect(await restoredAudit(restored)).toEqual([{ epoch: 'e1', expectedSeq: 4, receivedSeq: 7 }])
    await restored.close()
  })

  it('loses nothing the agent was not yet acked for, and never books an entry the backup holds twice', async () => {
    const live = await liveStore()
    const restored = await restoreOlder(live, async () => {
      // Booked after the backup, but the ack never reached the agent (a dropped connection).
      await live.send(live.store, 4, 6)
    })
    // The agent still journals 4..6 and replays from its oldest unacked entry, with the ones the
    // backup holds among them when its journal is older than the backup's mark.
    expect((await live.send(restored, 2, 8)).ack.seq).toBe(8)
    expect(await live.used(restored)).toBe(800)
    expect(await restoredAudit(restored)).toEqual([])
    await restored.close()
  })
})

async function restoredAudit(store: DocumentStore) {
  const entries = await store.peek(async (tx) => tx.audit.list(1000))
  return entries.filter((a) => a.action === 'usage.seq_gap').map((a) => a.data)
}
