import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Usage } from '@capd/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { manualClock } from '../clock.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import { usage } from '../testing/test-agent.js'
import { enrolAgent, recordHello } from './agents.js'
import type { DomainEnv } from './env.js'
import { createPlan } from './plans.js'
import { pruneRetained } from './retention.js'
import { createSubscriber } from './subscribers.js'
import { ingestUsage } from './usage-ingest.js'

/** Opening an undamaged store has nothing to say. */
const unexpectedLog = (line: string) => expect.fail(`unexpected store message: ${line}`)

const DAY = 86_400_000
const RETENTION_MS = 400 * DAY

describe('retention', () => {
  it('forgets audit rows, anomalies and usage marks of idle epochs past the retention, durably; a pruned epoch never books again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-retention-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const clock = manualClock(Date.parse('2026-03-10T12:00:00Z'))
    const env: DomainEnv = { clock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 3600_000 }
    let store = await openLowdbStore(dir, unexpectedLog)
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
    const ingest = (epoch: string, seq: number, subscriber = subscriberId) => {
      const batch = usage(epoch, [{ seq, subscriberId: subscriber, down: 100 }]) as Usage
      batch.entries[0]!.atMs = clock.now()
      batch.entries[0]!.periodStart = new Date(clock.now()).toISOString()
      return store.transact((tx) => ingestUsage(tx, env, agentId, batch))
    }
    await ingest('e-old', 1)
    await ingest('e-old', 2, 'sub_gone') // an anomaly, and its audit row
    const oldAudit = await store.transact((tx) => tx.audit.list(1000))
    clock.advance(200 * DAY)
    await store.transact(async (tx) => {
      const agent = (await tx.agents.get(agentId))!
      await recordHello(tx, env, agent, { agentVersion: '1', driver: 'sim', epoch: 'e-current' })
    })
    await ingest('e-current', 1)
    clock.advance(RETENTION_MS - 200 * DAY + 1)
    await ingest('e-fresh', 1) // booked just now: kept
    await ingest('e-fresh', 2, 'sub_gone_lately') // a recent anomaly and audit row: kept

    await store.transact((tx) => pruneRetained(tx, env, RETENTION_MS))
    await store.close()
    store = await openLowdbStore(dir, unexpectedLog) // the pruning is in the log, not only in memory
    onTestFinished(() => store.close())

    const marks = await store.transact((tx) => tx.usageMarks.list())
    expect(marks.map((m) => m.epoch).sort()).toEqual(['e-current', 'e-fresh'])
    const audit = await store.transact((tx) => tx.audit.list(1000))
    expect(audit.length).toBeGreaterThan(0)
    expect(audit.every((a) => a.atMs >= clock.now() - RETENTION_MS)).toBe(true)
    expect(audit.some((a) => oldAudit.some((o) => o.id === a.id))).toBe(false)
    const anomalies = await store.transact((tx) => tx.usageAnomalies.list())
    expect(anomalies.map((a) => a.subscriberId)).toEqual(['sub_gone_lately'])

    // A replay of the pruned epoch is recognised: not booked a second time.
    const usedBefore = (await store.transact((tx) => tx.subscribers.get(subscriberId)))!.usedBytes
    await ingest('e-old', 1)
    expect((await store.transact((tx) => tx.subscribers.get(subscriberId)))!.usedBytes).toBe(usedBefore)
  })
})
