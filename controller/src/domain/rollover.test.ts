/**
 * Rollover across a period boundary with the controller stopped across it: the store on disk is
 * closed before the boundary and opened again after it, with the clock moved on; the roll happens
 * on start (the limit refresher's first pass) from the books as they stood. Then the agent's usage
 * of the old period arrives late and shrinks the rollover that came from that period.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@capd/log'
import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { AgentHub } from '../agent-hub/agent-hub.js'
import { LimitRefresher } from '../agent-hub/limit-refresher.js'
import { createApp } from '../app.js'
import { bootstrap } from '../auth/bootstrap.js'
import { manualClock } from '../clock.js'
import { nodeAgentEndpoint } from '../server.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import { bucketViews } from './allowance-view.js'
import type { DomainEnv } from './env.js'
import { limitsFor } from './limits.js'
import { createPlan } from './plans.js'
import { ingestUsage } from './usage-ingest.js'

const GB = 1e9
const TOKEN = 'rollover-test-token-0123456789abcdef'
const dirs: string[] = []

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A controller over the store in `dir`, at the clock's time (the parts main.ts wires, no server). */
async function controllerOver(dir: string, nowMs: number) {
  const store = await openLowdbStore(dir, () => {})
  const clock = manualClock(nowMs)
  const env: DomainEnv = { clock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 86_400_000 }
  await bootstrap(store, env, { bootstrapToken: TOKEN, adminPassword: 'rollover-admin-password-1' })
  const hub = new AgentHub({ store, env, logger: silentLogger })
  const app = createApp({ store, env, ...hub.apiHooks() }, { agents: nodeAgentEndpoint(hub) })
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    )
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const refresher = new LimitRefresher({ store, env, logger: silentLogger })
  const close = async () => {
    hub.close()
    await store.close()
  }
  return { store, env, clock, call, refresher, close }
}

type Controller = Awaited<ReturnType<typeof controllerOver>>

let seq = 0
/** The agent's report: one reading per entry, read at `atIso`, of the period starting `periodStart`. */
async function report(
  c: Controller,
  agentId: string,
  subscriberId: string,
  periodStart: string,
  at: string,
  bytes: number[],
) {
  const entries = bytes.map((down) => ({
    seq: ++seq,
    subscriberId,
    periodStart,
    down,
    up: 0,
    atMs: Date.parse(at),
  }))
  const batch = { v: PROTOCOL_VERSION, type: 'usage', epoch: 'e1', entries } as Usage
  return c.store.transact((tx) => ingestUsage(tx, c.env, agentId, batch))
}

async function state(c: Controller, subscriberId: string) {
  return c.store.transact(async (tx) => {
    const sub = (await tx.subscribers.get(subscriberId))!
    const plan = (await tx.plans.get(sub.planId))!
    const topUps = await tx.topUps.forSubscriber(sub.id)
    const [limit] = await limitsFor(tx, c.env, [sub.id])
    const buckets = bucketViews(sub, plan, topUps, c.env.clock.now(), c.env.timeZone)
    const rows = Object.fromEntries(
      (await tx.usagePeriods.list()).map((r) => [new Date(r.periodStartMs).toISOString().slice(0, 7), r]),
    )
    return { sub, limit: limit!, buckets, rows }
  })
}

const bucketSummary = (buckets: Awaited<ReturnType<typeof state>>['buckets']) =>
  buckets.map(
    (b) =>
      `${b.id.startsWith('top_') ? 'top' : b.id} ${b.sizeBytes / GB}/${b.usedBytes / GB} until ${new Date(b.validUntilMs).toISOString().slice(0, 10)}`,
  )

describe('rollover', () => {
  it('rolls unused plan and top-up data on start after the controller was down across the boundary; late usage of the old period shrinks it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-rollover-'))
    dirs.push(dir)
    seq = 0

    // March: a 10 GB plan whose unused plan and top-up data roll over for two periods, at most 8 GB.
    let c = await controllerOver(dir, Date.parse('2026-03-20T12:00:00Z'))
    // (Made in the domain: the plan API's rollover field is the plan form's part.)
    const plan = await c.store.transact((tx) =>
      createPlan(tx, c.env, 'user:test', {
        name: 'Roll 10',
        capBytes: 10 * GB,
        onCap: 'block',
        rollover: { plan: true, topUps: true, periods: 2, maxBytes: 8 * GB },
      }),
    )
    const agent = (await c.call('POST', '/agents', { name: 'tower-1' })).body
    const sub = (
      await c.call('POST', '/subscribers', {
        name: 'Ana',
        login: 'ana',
        planId: plan.id,
        agentId: agent.id,
        address: '10.0.0.7',
        billingDay: 1,
      })
    ).body
    const march = '2026-03-01T00:00:00.000Z'
    await report(c, agent.id, sub.id, march, '2026-03-20T11:00:00Z', [1 * GB, 2 * GB])
    const topUp = await c.call('POST', `/subscribers/${sub.id}/topups`, {
      bytes: 2 * GB,
      price: { amount: 300, currency: 'USD' },
      chargeTo: 'invoice',
    })
    expect(topUp.status).toBe(201)
    let s = await state(c, sub.id)
    expect(s.limit.limitBytes).toBe(12 * GB)
    expect(bucketSummary(s.buckets)).toEqual(['plan 10/3 until 2026-04-01', 'top 2/0 until 2026-04-01'])

    // Stopped before the boundary, started on 2 April.
    await c.close()
    c = await controllerOver(dir, Date.parse('2026-04-02T08:00:00Z'))
    const { changedIds } = await c.refresher.runOnce()
    expect(changedIds).toEqual([sub.id])
    s = await state(c, sub.id)
    // 7 GB of plan + 2 GB of top-up unused: 9 GB, capped at 8 GB, until the end of May.
    expect(bucketSummary(s.buckets)).toEqual([
      'ro-1772323200000 8/0 until 2026-06-01',
      'plan 10/0 until 2026-05-01',
    ])
    expect(s.limit).toMatchObject({
      limitBytes: 18 * GB,
      usedBytes: 0,
      periodStart: '2026-04-01T00:00:00.000Z',
    })
    expect(s.rows['2026-03']).toMatchObject({
      usedBytes: 3 * GB,
      allowance: { drawn: { plan: 3 * GB }, overBytes: 0 },
    })
    const versionAfterRoll = s.limit.limitVersion

    // The agent replays March's journal late: 0.5 GB still leaves 8.5 GB unused (the cap binds),
    // one more GB leaves 7.5 GB: the rollover shrinks to it, and the new limit is a new version.
    await report(c, agent.id, sub.id, march, '2026-03-31T23:59:00Z', [0.5 * GB])
    s = await state(c, sub.id)
    expect(s.limit.limitBytes).toBe(18 * GB)
    await report(c, agent.id, sub.id, march, '2026-03-31T23:59:30Z', [1 * GB])
    s = await state(c, sub.id)
    expect(s.limit.limitBytes).toBe(17.5 * GB)
    expect(s.limit.limitVersion).toBeGreaterThan(versionAfterRoll)
    expect(s.rows['2026-03']!.usedBytes).toBe(4.5 * GB)
    expect(s.sub.usedBytes).toBe(0)

    // April's usage draws from the rolled-over data first.
    await report(c, agent.id, sub.id, '2026-04-01T00:00:00.000Z', '2026-04-02T07:00:00Z', [2 * GB])
    s = await state(c, sub.id)
    expect(bucketSummary(s.buckets)).toEqual([
      'ro-1772323200000 7.5/2 until 2026-06-01',
      'plan 10/0 until 2026-05-01',
    ])
    expect(s.limit).toMatchObject({ limitBytes: 17.5 * GB, usedBytes: 2 * GB })

    // Down again across May's boundary: March's 5.5 GB left carries on (under the cap first),
    // April's 10 GB of plan data fills the rest of the 8 GB.
    await c.close()
    c = await controllerOver(dir, Date.parse('2026-05-03T00:00:00Z'))
    await c.refresher.runOnce()
    s = await state(c, sub.id)
    expect(bucketSummary(s.buckets)).toEqual([
      'ro-1772323200000 5.5/0 until 2026-06-01',
      'ro-1775001600000 2.5/0 until 2026-07-01',
      'plan 10/0 until 2026-06-01',
    ])
    expect(s.limit.limitBytes).toBe(18 * GB)
    await c.close()
  })
})
