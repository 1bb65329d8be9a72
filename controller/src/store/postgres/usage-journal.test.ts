/**
 * The usage journal on PostgreSQL (see domain/usage-fold.ts): batches taken by two controllers'
 * lanes and booked by three folders at once, two of them without the fold lock, while
 * transactions fail before their commit and lose their answer after it, agents send batches again
 * and through both controllers at once — every entry is booked exactly once, and nothing is left in the journal. A
 * controller that stops with batches journalled leaves them to the next; a batch the books refuse
 * is set aside and holds up no other; a backup waits for the books and refuses while usage is
 * acked and not booked.
 */

import { silentLogger } from '@capd/log'
import { Usage } from '@capd/protocol'
import { type Random, seededRandom } from '@capd/protocol/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageFolder } from '../../agent-hub/usage-folder.js'
import { UsageLane } from '../../agent-hub/usage-lane.js'
import { usage } from '../../testing/test-agent.js'
import { testApp } from '../../testing/test-app.js'
import type { Store } from '../store.js'
import { UsageNotBookedError } from './dump-load.js'
import { takePgBackup } from './pg-backup.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()
const SEED = Number(process.env.JOURNAL_SEED ?? 1402)

class Crash extends Error {}
const crashes = { before: 0, after: 0 }

/**
 * `store` whose transactions fail at random: before the commit (nothing kept) or after it (kept,
 * but the caller never hears so). No fold lock, when `unlocked`: its folder folds beside the others.
 */
function flaky(store: PgStore, rng: Random, unlocked: boolean): Store {
  return Object.create(store, {
    ...(unlocked ? { tryJobLock: { value: undefined } } : {}),
    transact: {
      value: async <T>(fn: Parameters<Store['transact']>[0]): Promise<T> => {
        const roll = rng.next()
        const result = (await store.transact(async (tx) => {
          const r = await fn(tx)
          if (roll < 0.12) {
            crashes.before++
            throw new Crash('before commit')
          }
          return r
        })) as T
        if (roll > 0.9) {
          crashes.after++
          throw new Crash('after commit')
        }
        return result
      },
    },
  }) as Store
}

describe.skipIf(skip !== undefined)(
  `usage journal on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 120_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let a: PgStore
    let b: PgStore
    let t: Awaited<ReturnType<typeof testApp>>
    const agents: { id: string; subscribers: string[] }[] = []

    beforeAll(async () => {
      fixture = await pgFixture()
      a = await fixture.open()
      b = await fixture.open()
      t = await testApp({ store: a })
      const plan = await t.call('POST', '/plans', { name: 'Big', capBytes: 1e15, onCap: 'block' })
      for (let i = 0; i < 3; i++) {
        const agent = (await t.call('POST', '/agents', { name: `tower-${i}` })).body
        const subscribers: string[] = []
        for (let j = 0; j < 4; j++) {
          const sub = await t.call('POST', '/subscribers', {
            name: `S${i}-${j}`,
            login: `s${i}-${j}`,
            planId: plan.body.id,
            agentId: agent.id,
            address: `10.0.${i}.${j + 1}`,
          })
          expect(sub.status, JSON.stringify(sub.body)).toBe(201)
          subscribers.push(sub.body.id)
        }
        agents.push({ id: agent.id, subscribers })
      }
    })
    afterAll(async () => {
      t?.hub.close()
      await fixture?.end()
    })

    const used = async () => {
      const out = new Map<string, number>()
      for (const { subscribers } of agents)
        for (const id of subscribers) out.set(id, (await a.peek((tx) => tx.subscribers.get(id)))!.usedBytes)
      return out
    }
    const journalled = () => a.peek((tx) => tx.usageJournal!.count())

    it('books every entry exactly once through crashes, replays, reorders and three folders', async () => {
      const rng = seededRandom(SEED)
      const before = await used()
      const expected = new Map(before)
      const flakyA = flaky(a, rng, true)
      const folded = { booked: 0 }
      const folders = [flakyA, flaky(b, rng, true)].map(
        (store) =>
          new UsageFolder({
            store,
            env: t.env,
            logger: silentLogger,
            folded: (f) => (folded.booked += f.booked),
          }),
      )
      // Told of nothing journalled: the folders run together below, on the same batches.
      const lanes = [flakyA, b].map((store) => new UsageLane(store, t.env))
      // Per agent: the next seq, and the batches sent and not yet acked (sent again until they are).
      const state = agents.map(() => ({ seq: 0, unacked: [] as Usage[], acked: [] as Usage[] }))
      const send = async (agent: number, batch: Usage, via = rng.int(0, 1)) => {
        const lane = lanes[via]!
        try {
          const result = await lane.ingest(agents[agent]!.id, batch)
          expect(result.ack.seq).toBeGreaterThanOrEqual(batch.entries.at(-1)!.seq)
          const s = state[agent]!
          s.unacked = s.unacked.filter((u) => u !== batch)
          if (!s.acked.includes(batch)) s.acked.push(batch)
        } catch (err) {
          if (!(err instanceof Crash)) throw err
        }
      }
      for (let step = 0; step < 120; step++) {
        const agent = rng.int(0, agents.length - 1)
        const s = state[agent]!
        const roll = rng.next()
        if (roll < 0.15 && s.acked.length > 0) {
          // A batch acked before, sent again (the ack was lost on the way).
          await send(agent, s.acked[rng.int(0, s.acked.length - 1)]!)
        } else if (roll < 0.3 && s.unacked.length > 0) {
          await send(agent, s.unacked[0]!)
        } else {
          const subs = agents[agent]!.subscribers
          const entries = Array.from({ length: rng.int(1, 5) }, () => {
            const subscriberId = subs[rng.int(0, subs.length - 1)]!
            const down = rng.int(1, 1_000_000)
            expected.set(subscriberId, expected.get(subscriberId)! + down)
            return { seq: ++s.seq, subscriberId, down }
          })
          const batch = Usage.parse(usage('epoch-1', entries))
          s.unacked.push(batch)
          if (rng.next() < 0.3) {
            // The oldest unacked through both controllers at once (the agent reconnected to the
            // other while the first still took it): one takes it, the other finds it taken.
            const oldest = s.unacked[0]!
            await Promise.all([send(agent, oldest, 0), send(agent, oldest, 1)])
          } else await send(agent, s.unacked[0]!)
        }
        // Both folders at once, so they read the same batches and race to book them.
        if (rng.next() < 0.25) await Promise.all(folders.map((f) => f.settle()))
      }
      // The agents send what is still unacked until it is, as a reconnecting agent does.
      for (const [agent, s] of state.entries()) {
        while (s.unacked.length > 0) await send(agent, s.unacked[0]!)
      }
      for (let round = 0; (await journalled()) > 0; round++) {
        expect(round, 'the journal never emptied').toBeLessThan(200)
        for (const folder of folders) await folder.settle()
      }
      await t.hub.drain()
      expect(await used()).toEqual(expected)
      expect(folded.booked).toBeGreaterThan(0)
      expect(crashes.before).toBeGreaterThan(3)
      expect(crashes.after).toBeGreaterThan(3)
      for (const folder of folders) await folder.stop()
    })

    it('sets aside a batch the books refuse, as usage not booked, and books the batches behind it', async () => {
      t.hub.close()
      await t.hub.drain()
      const [, agent] = agents
      const [first, second] = agent!.subscribers as [string, string]
      const before = await used()
      const lane = new UsageLane(b, t.env)
      const marks = await a.peek((tx) => tx.usageMarks.forAgent(agent!.id))
      const seq = Math.max(0, ...marks.map((m) => m.seq)) + 1
      // Acked (each entry is a valid count), then refused by the books: the sum passes 2^53 − 1.
      const huge = Number.MAX_SAFE_INTEGER - before.get(first)! + 1
      await lane.ingest(agent!.id, Usage.parse(usage('epoch-1', [{ seq, subscriberId: first, down: huge }])))
      await lane.ingest(
        agent!.id,
        Usage.parse(usage('epoch-1', [{ seq: seq + 1, subscriberId: second, down: 555 }])),
      )
      const folder = new UsageFolder({ store: b, env: t.env, logger: silentLogger, folded: () => {} })
      for (let round = 0; (await journalled()) > 0; round++) {
        expect(round, 'the refused batch held up the journal').toBeLessThan(10)
        await folder.settle()
      }
      await folder.stop()
      const after = await used()
      expect(after.get(first)).toBe(before.get(first))
      expect(after.get(second)).toBe(before.get(second)! + 555)
      const anomalies = await a.peek((tx) => tx.usageAnomalies.forAgent(agent!.id))
      expect(anomalies.filter((x) => x.reason === 'not_bookable')).toMatchObject([
        { subscriberId: first, entries: 1, bytes: huge },
      ])
    })

    it('leaves what a stopped controller journalled to the next one, which books it on start', async () => {
      // No controller runs: the app's hub stops folding and lets the fold lock go.
      t.hub.close()
      await t.hub.drain()
      const before = await used()
      const [agent] = agents
      const lane = new UsageLane(b, t.env)
      const subscriberId = agent!.subscribers[0]!
      const mark = await a.peek((tx) => tx.usageMarks.forAgent(agent!.id))
      const seq = Math.max(0, ...mark.map((m) => m.seq)) + 1
      await lane.ingest(agent!.id, Usage.parse(usage('epoch-1', [{ seq, subscriberId, down: 777 }])))
      // Acked, journalled, not booked: no folder was told.
      expect(await journalled()).toBe(1)
      expect((await used()).get(subscriberId)).toBe(before.get(subscriberId))
      // Backups wait for the books and, with no controller to book it, refuse and say why.
      await expect(takePgBackup(fixture.db.url, { capdVersion: 'test', bookedWaitMs: 300 })).rejects.toThrow(
        UsageNotBookedError,
      )
      const next = new UsageFolder({ store: b, env: t.env, logger: silentLogger, folded: () => {} })
      next.start()
      await next.settle()
      await next.stop()
      expect(await journalled()).toBe(0)
      expect((await used()).get(subscriberId)).toBe(before.get(subscriberId)! + 777)
      const backup = await takePgBackup(fixture.db.url, { capdVersion: 'test', bookedWaitMs: 300 })
      expect(backup.text).toContain(subscriberId)
    })
  },
)
