/**
 * The round trips of usage on the PostgreSQL store. A lane's transaction takes batches of several
 * agents together: it reads their agents and marks once for all of them (readAheadForUsage) and
 * journals them in one statement. A fold then books an agent's journalled batches reading each
 * table it needs once for all of them, and the books come out as the batches one by one would.
 */

import { silentLogger } from '@capd/log'
import { Usage } from '@capd/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageFolder } from '../../agent-hub/usage-folder.js'
import { UsageLane } from '../../agent-hub/usage-lane.js'
import { logStatements, type Statement } from '../../testing/pg-statements.js'
import { usage } from '../../testing/test-agent.js'
import { testApp } from '../../testing/test-app.js'
import type { PgStore } from './pg-store.js'
import { pgFixture, pgSkipReason } from './pg-test-kit.js'

const skip = await pgSkipReason()

const AGENTS = 4
const PER_AGENT = 3
/** The tables whose rows a batch reads, and how each is read by many ids at once. */
const READS = {
  agents: 'SELECT id, doc FROM agents WHERE id = ANY',
  marks: 'SELECT id, doc FROM usage_marks WHERE id = ANY',
  subscribers: 'SELECT id, doc FROM subscribers WHERE id = ANY',
  topUps: 'SELECT subscriber_id, doc FROM top_ups WHERE subscriber_id = ANY',
  days: 'SELECT id, doc FROM usage_days WHERE id = ANY',
}

/** Statements of the transaction, per table read, counting any read of its rows. */
function readsPerTable(tx: readonly Statement[]): Record<string, number> {
  const table = (sql: string) => /^SELECT .* FROM (\w+)/.exec(sql)?.[1]
  const counts: Record<string, number> = {}
  for (const s of tx) {
    const name = table(s.sql)
    if (name) counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

describe.skipIf(skip !== undefined)(
  `statements of a usage lane's transaction${skip ? ` (skipped: ${skip})` : ''}`,
  { timeout: 30_000 },
  () => {
    let fixture: Awaited<ReturnType<typeof pgFixture>>
    let store: PgStore
    let t: Awaited<ReturnType<typeof testApp>>
    const agents: { id: string; subscriberIds: string[] }[] = []
    beforeAll(async () => {
      fixture = await pgFixture()
      store = await fixture.open()
      t = await testApp({ store })
      const plan = await t.call('POST', '/plans', { name: 'Basic', capBytes: 100e9, onCap: 'block' })
      for (let a = 0; a < AGENTS; a++) {
        const agent = (await t.call('POST', '/agents', { name: `tower-${a}` })).body
        const subscriberIds: string[] = []
        for (let s = 0; s < PER_AGENT; s++) {
          const sub = await t.call('POST', '/subscribers', {
            name: `S${a}-${s}`,
            login: `s${a}-${s}`,
            planId: plan.body.id,
            agentId: agent.id,
            address: `10.${a}.${s}.1`,
          })
          expect(sub.status, JSON.stringify(sub.body)).toBe(201)
          subscriberIds.push(sub.body.id)
        }
        agents.push({ id: agent.id, subscriberIds })
      }
      // The app's own hub folds nothing here: the test's folder does, while its statements are logged.
      t.hub.close()
      await t.hub.drain()
    })
    afterAll(() => fixture?.end())

    /** One batch per agent, `down` bytes for each of its subscribers, under the agent's epoch `epoch`. */
    const batches = (epoch: string, firstSeq: number, down: number) =>
      agents.map((agent) => ({
        agentId: agent.id,
        usage: Usage.parse(
          usage(
            epoch,
            agent.subscriberIds.map((subscriberId, i) => ({ seq: firstSeq + i, subscriberId, down })),
          ),
        ),
      }))

    const used = () =>
      store.peek(async (tx) =>
        Promise.all(
          agents.flatMap((a) => a.subscriberIds).map(async (id) => (await tx.subscribers.get(id))!.usedBytes),
        ),
      )

    it("takes batches together reading each table once, and folds each agent's batches reading each once", async () => {
      const lane = new UsageLane(store, t.env)
      // The epoch's first round (no marks yet: a new epoch reads the agent's marks), then a second.
      for (const round of [0, 1]) {
        const log = logStatements(store.pool)
        let results: Awaited<ReturnType<UsageLane['ingest']>>[]
        try {
          // The first is taken alone; the others wait for it and go in one transaction.
          const sent = batches('e1', 1 + round * PER_AGENT, 1000 * (round + 1))
          results = await Promise.all(sent.map((b) => lane.ingest(b.agentId, b.usage)))
        } finally {
          log.stop()
        }
        expect(results.map((r) => r.ack.seq)).toEqual(agents.map(() => PER_AGENT * (round + 1)))
        const txs = log.take().filter((tx) => tx.some((s) => s.sql.startsWith('INSERT INTO usage_journal')))
        expect(txs).toHaveLength(2)
        const together = txs[1]!
        expect(together.filter((s) => s.sql.startsWith('INSERT INTO usage_journal'))).toHaveLength(1)
        for (const name of ['agents', 'marks'] as const)
          expect(together.filter((s) => s.sql.startsWith(READS[name])).length, name).toBe(1)
        // Nothing booked yet: the lane reads no subscriber, top-up or history row.
        expect(together.some((s) => s.sql.startsWith('UPDATE subscribers'))).toBe(false)
        if (round === 0) continue
        const reads = readsPerTable(together)
        expect(reads, JSON.stringify(reads)).toEqual({ agents: 1, usage_marks: 1 })
      }
      expect(await used()).toEqual(agents.flatMap((a) => a.subscriberIds.map(() => 0)))

      const log = logStatements(store.pool)
      try {
        const folder = new UsageFolder({ store, env: t.env, logger: silentLogger, folded: () => {} })
        await folder.settle()
        await folder.stop()
      } finally {
        log.stop()
      }
      // A fold per agent, each booking both its rounds: every table read once, each row written once.
      const folds = log.take().filter((tx) => tx.some((s) => s.sql.startsWith('UPDATE subscribers')))
      expect(folds).toHaveLength(AGENTS)
      for (const fold of folds) {
        expect(fold.filter((s) => s.sql.startsWith('UPDATE subscribers'))).toHaveLength(1)
        expect(fold.filter((s) => s.sql.startsWith('DELETE FROM usage_journal'))).toHaveLength(1)
        for (const name of ['subscribers', 'topUps', 'days'] as const)
          expect(fold.filter((s) => s.sql.startsWith(READS[name])).length, name).toBe(1)
        const reads = readsPerTable(fold)
        for (const table of ['subscribers', 'top_ups', 'usage_days'])
          expect(reads[table], `${table}: ${JSON.stringify(reads)}`).toBe(1)
      }
      expect(await used()).toEqual(agents.flatMap((a) => a.subscriberIds.map(() => 3000)))
    })
  },
)
