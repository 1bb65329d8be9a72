/**
 * The round trips of a usage lane's transaction on the PostgreSQL store: batches of several agents
 * booked together read each table they need once for all of them (readAheadForUsage), not once per
 * batch, and book the same as the same batches one by one.
 */
import { Usage } from '@capd/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

    it('reads each table once for all the batches booked together, and books them all', async () => {
      const lane = new UsageLane(store, t.env)
      // The epoch's first round (no marks yet: a new epoch reads the agent's marks), then a second.
      for (const round of [0, 1]) {
        const log = logStatements(store.pool)
        let results: Awaited<ReturnType<UsageLane['ingest']>>[]
        try {
          // The first is booked alone; the others wait for it and go in one transaction.
          const sent = batches('e1', 1 + round * PER_AGENT, 1000 * (round + 1))
          results = await Promise.all(sent.map((b) => lane.ingest(b.agentId, b.usage)))
        } finally {
          log.stop()
        }
        expect(results.map((r) => r.ack.seq)).toEqual(agents.map(() => PER_AGENT * (round + 1)))
        const txs = log.take().filter((tx) => tx.some((s) => s.sql.startsWith('UPDATE subscribers')))
        expect(txs).toHaveLength(2)
        const together = txs[1]!
        expect(together.filter((s) => s.sql.startsWith('UPDATE subscribers'))).toHaveLength(1)
        for (const [name, sql] of Object.entries(READS))
          expect(together.filter((s) => s.sql.startsWith(sql)).length, name).toBe(1)
        if (round === 0) continue
        const reads = readsPerTable(together)
        for (const table of ['agents', 'usage_marks', 'subscribers', 'top_ups', 'usage_days'])
          expect(reads[table], `${table}: ${JSON.stringify(reads)}`).toBe(1)
      }
      expect(await used()).toEqual(agents.flatMap((a) => a.subscriberIds.map(() => 3000)))
    })
  },
)
