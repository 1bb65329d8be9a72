import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Usage } from '@capd/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { manualClock } from '../clock.js'
import { openLowdbStore, WAL_FILE } from '../store/lowdb-store.js'
import { usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { enrolAgent } from './agents.js'
import type { DomainEnv } from './env.js'
import { createPlan } from './plans.js'
import { createSubscriber } from './subscribers.js'
import { ingestUsage } from './usage-ingest.js'

/** Opening an undamaged store has nothing to say. */
const unexpectedLog = (line: string) => expect.fail(`unexpected store message: ${line}`)

async function fixture() {
  const t = await testApp()
  const { plan, agent, subscriber } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  const ingest = (batch: object) => t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch as Usage))
  const usedBytes = () => t.data.subscribers[subscriber.id]!.usedBytes
  return { ...t, plan, agent, other, subscriber, ingest, usedBytes }
}

describe('ingestUsage', () => {
  it('counts each entry once however batches are duplicated and interleaved, concurrently too', async () => {
    const f = await fixture()
    const entries = Array.from({ length: 40 }, (_, i) => ({
      seq: i + 1,
      subscriberId: f.subscriber.id,
      down: 1000 + i,
      up: i,
    }))
    const batches = []
    for (let start = 0; start < 40; start += 4) batches.push(entries.slice(start, start + 8))
    // Every batch three times, all at once: the store runs them one by one, in arrival order.
    const all = [...batches, ...batches, ...batches].map((b) => f.ingest(usage('e1', b)))
    const results = await Promise.all(all)
    expect(f.usedBytes()).toBe(entries.reduce((sum, e) => sum + e.down + e.up, 0))
    expect(Math.max(...results.map((r) => r.ack.seq))).toBe(40)
    expect(f.data.usageMarks[`${f.agent.id}/e1`]).toMatchObject({ seq: 40 })
  })

  it('a late batch of an older epoch stays booked after a new epoch has started', async () => {
    const f = await fixture()
    const entry = (seq: number) => ({ seq, subscriberId: f.subscriber.id, down: 100 })
    await f.ingest(usage('old', [entry(1), entry(2)]))
    await f.ingest(usage('new', [entry(1)]))
    const late = await f.ingest(usage('old', [entry(1), entry(2)]))
    expect(late).toEqual({
      ack: { epoch: 'old', seq: 2 },
      subscriberIds: [],
      autoTopUpIds: [],
      counts: { bytes: 0, booked: 0, refused: 0, duplicate: 2 },
    })
    expect(f.usedBytes()).toBe(300)
  })

  it('refuses a revoked agent', async () => {
    const f = await fixture()
    await f.call('POST', `/agents/${f.agent.id}/revoke`)
    const refused = await f
      .ingest(usage('e1', [{ seq: 1, subscriberId: f.subscriber.id, down: 1 }]))
      .catch((e) => e)
    expect(refused).toMatchObject({ code: 'agent_revoked' })
  })

  it('books a gap in seq but puts it in the audit log', async () => {
    const f = await fixture()
    await f.ingest(usage('e1', [{ seq: 1, subscriberId: f.subscriber.id, down: 5 }]))
    const result = await f.ingest(usage('e1', [{ seq: 4, subscriberId: f.subscriber.id, down: 5 }]))
    expect(result.ack.seq).toBe(4)
    expect(f.usedBytes()).toBe(10)
    const gap = f.data.audit.find((a) => a.action === 'usage.seq_gap')
    expect(gap?.data).toEqual({ epoch: 'e1', expectedSeq: 2, receivedSeq: 4 })
  })

  it('counts usage dated in a future period (an agent clock ahead) in the current one', async () => {
    const f = await fixture()
    const ahead = { seq: 1, subscriberId: f.subscriber.id, down: 70, periodStart: '2026-04-01T00:00:00.000Z' }
    await f.ingest(usage('e1', [ahead]))
    expect(f.usedBytes()).toBe(70)
    expect(f.data.usagePeriods).toEqual({})
  })

  it('writes "last seen" at most every 30 s', async () => {
    const f = await fixture()
    const entry = (seq: number) => ({ seq, subscriberId: f.subscriber.id, down: 1 })
    await f.ingest(usage('e1', [entry(1)]))
    const first = f.data.agents[f.agent.id]!.lastSeenAtMs
    expect(first).toBe(f.clock.now())
    f.clock.advance(29_000)
    await f.ingest(usage('e1', [entry(2)]))
    expect(f.data.agents[f.agent.id]!.lastSeenAtMs).toBe(first)
    f.clock.advance(1_000)
    await f.ingest(usage('e1', [entry(3)]))
    expect(f.data.agents[f.agent.id]!.lastSeenAtMs).toBe(f.clock.now())
  })

  it('an acked batch is on disk with its mark: replayed after a crash, it is not booked again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-ingest-'))
    const crashed = await mkdtemp(join(tmpdir(), 'capd-ingest-crashed-'))
    onTestFinished(async () => {
      for (const d of [dir, crashed]) await rm(d, { recursive: true, force: true })
    })
    const env: DomainEnv = {
      clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
      timeZone: 'UTC',
      currency: 'USD',
      idempotencyTtlMs: 3600_000,
    }
    const store = await openLowdbStore(dir, unexpectedLog)
    const { agentId, subscriberId } = await store.transact(async (tx) => {
      const plan = await createPlan(tx, env, 'system', { name: 'p', capBytes: 1000, onCap: 'block' })
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
    const batch = usage('e1', [
      { seq: 1, subscriberId, down: 100 },
      { seq: 2, subscriberId, down: 20 },
    ]) as Usage
    const acked = await store.transact((tx) => ingestUsage(tx, env, agentId, batch))
    expect(acked.ack.seq).toBe(2)
    // What the disk holds the moment the ack could go out, as a crash would leave it.
    await cp(join(dir, WAL_FILE), join(crashed, WAL_FILE))
    await store.close()

    const recovered = await openLowdbStore(crashed, unexpectedLog)
    onTestFinished(() => recovered.close())
    const replayed = await recovered.transact((tx) => ingestUsage(tx, env, agentId, batch))
    expect(replayed).toEqual({
      ack: { epoch: 'e1', seq: 2 },
      subscriberIds: [],
      autoTopUpIds: [],
      counts: { bytes: 0, booked: 0, refused: 0, duplicate: 2 },
    })
    const sub = await recovered.transact((tx) => tx.subscribers.get(subscriberId))
    expect(sub?.usedBytes).toBe(120)
  })
})
