/**
 * The PostgreSQL store against the embedded one: the same random transactions (writes, look-ups,
 * pages, filters, audit, idempotency, sequences, failures part-way) run on both, and every answer,
 * every refusal and every commit handed to onCommit must be the same.
 */
import { parseIpPrefix } from '@capd/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Commit } from '../commit-notes.js'
import { emptyData } from '../data.js'
import { DocumentStore } from '../document-store.js'
import type { Delivery, Plan, Subscriber, TopUp } from '../entities.js'
import type { Store, Tx } from '../store.js'
import type { UsageDay } from '../usage-history-entities.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()

/** mulberry32: a seeded generator, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  return { next, int, pick }
}

type Rng = ReturnType<typeof rng>
type Op = (tx: Tx) => Promise<unknown>

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const PLANS = ids('plan-', 3)
const SUBS = ids('sub-', 8)
const AGENTS = ['agent-a', 'agent-b']
const DELIVERIES = ids('dlv-', 8)
const DAYS = ['2026-01-01', '2026-01-02', '2026-02-10', '2026-03-05']
const ADDRESSES = ['10.0.0.1', '10.0.0.0/30', '10.0.1.0/24', '2001:db8::/64', '2001:db8::5', '10.0.0.2']

function plan(r: Rng, id: string): Plan {
  return { id, name: `Plan ${r.int(3)}`, capBytes: r.pick([1000, 2000]), onCap: 'block', createdAtMs: 1 }
}

function subscriber(r: Rng, id: string): Subscriber {
  return {
    id,
    name: r.pick(['Ann', 'Bob Smith', 'Cy_50%']),
    login: `${r.pick(['ann', 'BOB', 'cy'])}${id}`,
    ...(r.int(2) ? { email: `${id}@Example.net` } : {}),
    planId: r.pick(PLANS),
    agentId: r.pick(AGENTS),
    address: r.pick(ADDRESSES),
    billingDay: 1,
    balance: { amount: r.int(1000), currency: 'USD' },
    createdAtMs: 1,
    usedBytes: r.int(100),
    usagePeriodStartMs: 0,
    state: r.pick(['open', 'blocked', 'throttled'] as const),
    limitVersion: r.int(3),
    ...(r.int(4) === 0 ? { deletedAtMs: 5 } : {}),
  }
}

function delivery(r: Rng, id: string): Delivery {
  return {
    id,
    notificationId: `n-${r.int(3)}`,
    event: r.pick(['usage.threshold', 'topup.applied'] as const),
    subscriberId: r.pick(SUBS),
    channel: r.pick(['email', 'sms', 'webhook'] as const),
    to: 'x',
    status: r.pick(['queued', 'sending', 'sent', 'failed'] as const),
    attempts: r.int(3),
    nextAttemptAtMs: r.int(100),
    giveUpAtMs: 1000,
    createdAtMs: 1,
  }
}

function usageDay(r: Rng): UsageDay {
  const subscriberId = r.pick(SUBS)
  const day = r.pick(DAYS)
  return {
    id: `${subscriberId}/${day}`,
    subscriberId,
    day,
    down: r.int(9),
    up: r.int(9),
    hourDown: [],
    hourUp: [],
  }
}

function topUp(r: Rng): TopUp {
  const n = r.int(6)
  return {
    id: `top-${n}`,
    subscriberId: SUBS[n % SUBS.length]!,
    bytes: r.int(1000),
    price: { amount: 5, currency: 'USD' },
    source: 'operator',
    chargeTo: 'invoice',
    createdAtMs: 1,
    periodStartMs: 0,
    expiresAtMs: 9,
    invoiceId: 'inv',
    actor: 'system',
  }
}

/** One random operation; what it returns (or throws) is compared. */
function randomOp(r: Rng, clock: { ms: number }): Op {
  const ops: Op[] = [
    (tx) => tx.plans.insert(plan(r, r.pick(PLANS))),
    (tx) => tx.plans.update(plan(r, r.pick(PLANS))),
    (tx) => tx.plans.get(r.pick(PLANS)),
    (tx) => tx.plans.list(),
    (tx) => tx.subscribers.insert(subscriber(r, r.pick(SUBS))),
    (tx) => tx.subscribers.update(subscriber(r, r.pick(SUBS))),
    (tx) => tx.subscribers.get(r.pick(SUBS)),
    (tx) => tx.subscribers.byLogin(`${r.pick(['ANN', 'bob', 'Cy'])}${r.pick(SUBS)}`),
    (tx) => tx.subscribers.forAgent(r.pick(AGENTS)),
    async (tx) =>
      (
        await tx.subscribers.overlappingAddress(
          r.pick(AGENTS),
          parseIpPrefix(r.pick(ADDRESSES)),
          r.pick(SUBS),
        )
      )?.agentId,
    (tx) =>
      tx.subscribers.find({
        limit: 1 + r.int(4),
        ...(r.int(2) ? { q: r.pick(['b', 'SMITH', '50%', 'example', '10.0', '_']) } : {}),
        ...(r.int(3) === 0 ? { state: r.pick(['open', 'blocked'] as const) } : {}),
        ...(r.int(3) === 0 ? { agentId: r.pick(AGENTS) } : {}),
        ...(r.int(4) === 0 ? { deleted: true } : {}),
        ...(r.int(2) ? { after: r.pick(SUBS) } : {}),
      }),
    (tx) => tx.deliveries.insert(delivery(r, r.pick(DELIVERIES))),
    (tx) => tx.deliveries.update(delivery(r, r.pick(DELIVERIES))),
    (tx) => tx.deliveries.delete(r.pick(DELIVERIES)),
    (tx) => tx.deliveries.due(r.int(100), 1 + r.int(4)),
    (tx) => tx.deliveries.openCount(),
    (tx) => tx.deliveries.forNotification(`n-${r.int(3)}`),
    (tx) =>
      tx.deliveries.find({
        limit: 1 + r.int(4),
        ...(r.int(2) ? { status: r.pick(['queued', 'sent'] as const) } : {}),
        ...(r.int(3) === 0 ? { channel: r.pick(['email', 'sms'] as const) } : {}),
        ...(r.int(3) === 0 ? { subscriberId: r.pick(SUBS) } : {}),
        ...(r.int(2) ? { before: r.pick(DELIVERIES) } : {}),
      }),
    (tx) => tx.usageDays.insert(usageDay(r)),
    (tx) => tx.usageDays.update(usageDay(r)),
    (tx) => tx.usageDays.delete(usageDay(r).id),
    (tx) => tx.usageDays.forSubscriber(r.pick(SUBS), r.pick(DAYS), r.pick(DAYS)),
    (tx) => tx.usageDays.before(r.pick(DAYS), 1 + r.int(5)),
    async (tx) => {
      clock.ms += r.int(3)
      const n = r.int(1000)
      await tx.audit.append({
        id: `aud-${clock.ms}-${n}`,
        atMs: clock.ms,
        actor: r.pick(['system', 'user:1']),
        action: r.pick(['topup.create', 'topup', 'topups.x', 'plan.edit']),
        entity: 'x',
        entityId: r.pick(SUBS),
      })
    },
    (tx) => tx.audit.list(1 + r.int(5)),
    async (tx) => {
      const all = await tx.audit.list(50)
      return tx.audit.find({
        limit: 1 + r.int(3),
        ...(r.int(2) ? { action: r.pick(['topup', 'plan', 'topup.create']) } : {}),
        ...(r.int(3) === 0 ? { actor: 'system' } : {}),
        ...(r.int(3) === 0 ? { entityId: r.pick(SUBS) } : {}),
        ...(r.int(3) === 0 ? { fromMs: r.int(clock.ms + 1) } : {}),
        ...(r.int(3) === 0 ? { toMs: r.int(clock.ms + 1) } : {}),
        ...(r.int(2) && all.length > 0 ? { before: r.pick(all).id } : {}),
      })
    },
    (tx) => tx.audit.prune(r.int(clock.ms + 1)),
    (tx) => tx.idempotency.get(`k${r.int(4)}`),
    // Records are made in time order (the embedded store's order after a rollback relies on it).
    (tx) =>
      tx.idempotency.put({
        scope: `k${r.int(4)}`,
        requestHash: 'h',
        status: 200,
        body: { n: r.int(9) },
        createdAtMs: clock.ms++,
      }),
    (tx) => tx.idempotency.prune(r.int(clock.ms + 1)),
    (tx) => tx.nextSequence(r.pick(['invoice/2026', 'credit_note/2026'])),
    (tx) => tx.topUps.insert(topUp(r)),
    async (tx) => {
      const t = topUp(r)
      if (await tx.topUps.get(t.id)) await tx.topUps.update(t)
    },
    (tx) => tx.topUps.forSubscriber(r.pick(SUBS)),
    // Moved to another subscriber: both subscribers' cached rows must follow.
    async (tx) => {
      const t = { ...topUp(r), subscriberId: r.pick(SUBS) }
      if (await tx.topUps.get(t.id)) await tx.topUps.update(t)
    },
    // A hint changes no answer: reads after it must say what they would have said.
    async (tx) => {
      // Drawn first: the embedded store has no readAhead, and both must draw the same numbers.
      const hint = {
        subscribers: [r.pick(SUBS), r.pick(SUBS)],
        usageDays: [usageDay(r).id, usageDay(r).id],
        topUpsOf: [r.pick(SUBS), r.pick(SUBS)],
      }
      await tx.readAhead?.(hint)
    },
  ]
  return r.pick(ops)
}

/** What an operation came to: its value, or its error's message. */
async function outcome(op: Op, tx: Tx): Promise<unknown> {
  try {
    return { value: await op(tx) }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

/** A transaction of random operations; sometimes it throws at the end, so all of it is undone. */
async function runTx(store: Store, ops: Op[], fail: boolean): Promise<unknown> {
  const seen: unknown[] = []
  try {
    await store.transact(async (tx) => {
      seen.length = 0
      for (const op of ops) seen.push(await outcome(op, tx))
      if (fail) throw new Error('rolled back')
    })
  } catch (err) {
    seen.push((err as Error).message)
  }
  return seen
}

describe.skipIf(skip)('the PostgreSQL store answers as the embedded store does', { timeout: 60_000 }, () => {
  let fixture: Awaited<ReturnType<typeof pgFixture>>
  beforeAll(async () => {
    fixture = await pgFixture()
  })
  afterAll(() => fixture?.end())

  it('through random transactions', async () => {
    const seed = Number(process.env.CAPD_TEST_SEED ?? Date.now() % 1_000_000)
    const pg = await fixture.open()
    const memory = new DocumentStore(emptyData(), null)
    const commits: Record<'pg' | 'memory', Commit[]> = { pg: [], memory: [] }
    // The order of ids in a commit means nothing (the embedded store lists a plan's subscribers
    // in the document's insertion order, PostgreSQL in id order).
    const sorted = (c: Commit): Commit => ({
      ...c,
      subscriberIds: [...c.subscriberIds].sort(),
      shownSubscriberIds: [...c.shownSubscriberIds].sort(),
    })
    pg.onCommit((c) => commits.pg.push(sorted(c)))
    memory.onCommit((c) => commits.memory.push(sorted(c)))
    // Each store gets its own generator from the same seed, so both see the same operations.
    const makeOps = (r: Rng, n: number) => {
      const clock = { ms: 0 }
      return Array.from({ length: n }, () => Array.from({ length: 1 + r.int(6) }, () => randomOp(r, clock)))
    }
    const txs = 150
    const rp = rng(seed)
    const rm = rng(seed)
    const opsP = makeOps(rp, txs)
    const opsM = makeOps(rm, txs)
    for (let i = 0; i < txs; i++) {
      const fail = i % 7 === 3
      const got = await runTx(pg, opsP[i]!, fail)
      const want = await runTx(memory, opsM[i]!, fail)
      expect(got, `seed ${seed}, transaction ${i}`).toEqual(want)
      expect(commits.pg, `seed ${seed}, commits after transaction ${i}`).toEqual(commits.memory)
    }
    const dump = await pg.dumpData()
    const doc = JSON.parse(
      JSON.stringify(await memory.peek(async () => (memory as unknown as { data: unknown }).data)),
    )
    expect(dump).toEqual({ ...doc, committedVersion: undefined })
  })
})
