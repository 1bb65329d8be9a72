/**
 * The usage journal on PostgreSQL: the entries an agent's batch carried above its high-water mark,
 * written as one row with the mark and acked, then booked by one controller at a time and taken out
 * in the transaction that books them (see domain/usage-fold.ts). A row per batch, not per entry: a
 * row per entry cost 28 µs each on the server (three index entries), a batch's row a fraction of
 * that. No two rows of an agent's epoch start at the same seq, so the database itself refuses a
 * batch taken twice.
 */
import type { UsageEntry } from '@capd/protocol'
import type { JournalledUsage, UsageJournal } from '../store.js'
import type { Flushable } from './pg-side-tables.js'
import { PeekWriteError, type Query } from './pg-table.js'

/**
 * The entries as JSON text, not `json` or `jsonb`: kept as written and read back whole, never
 * searched, so the server need not parse them (a `json` column's check alone took 7 µs an entry).
 */
export const USAGE_JOURNAL_SCHEMA = `
CREATE TABLE usage_journal (
  ord bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent_id text NOT NULL,
  epoch text NOT NULL,
  first_seq bigint NOT NULL CHECK (first_seq >= 1),
  entries text NOT NULL,
  UNIQUE (agent_id, epoch, first_seq)
);
CREATE INDEX usage_journal_agent ON usage_journal (agent_id, ord);
ALTER TABLE usage_journal ALTER COLUMN entries SET STORAGE EXTERNAL;`

interface Row {
  ord: string
  agent_id: string
  epoch: string
  entries: string
}

export function usageJournalPart(query: Query, readOnly: boolean): UsageJournal & Flushable {
  let appended: Omit<JournalledUsage, 'ord'>[] = []
  const flush = async () => {
    if (appended.length === 0) return
    const rows = appended
    appended = []
    // A parameter per value, not an array of texts: node-postgres escapes an array's elements one
    // character at a time (the entries' quotes included), a stall of tens of ms per lane transaction.
    const params: unknown[] = []
    const values = rows.map((r) => {
      params.push(r.agentId, r.epoch, r.entries[0]!.seq, JSON.stringify(r.entries))
      const n = params.length
      return `($${n - 3}, $${n - 2}, $${n - 1}::bigint, $${n})`
    })
    await query(
      `INSERT INTO usage_journal (agent_id, epoch, first_seq, entries) VALUES ${values.join(', ')}`,
      params,
    )
  }
  return {
    flush,
    append: async (agentId, epoch, entries) => {
      if (readOnly) throw new PeekWriteError()
      if (entries.length > 0) appended.push({ agentId, epoch, entries })
    },
    pending: async (maxEntries, maxBatches) => {
      await flush()
      // The agent of the oldest batch, and its batches after that one: an agent's batches name the
      // same subscribers poll after poll, so each is booked once for all of them.
      const rows = await query<Row>(
        `SELECT ord, agent_id, epoch, entries FROM usage_journal
         WHERE agent_id = (SELECT agent_id FROM usage_journal ORDER BY ord LIMIT 1)
         ORDER BY agent_id, ord LIMIT $1`,
        [Math.max(1, maxBatches)],
      )
      const taken: JournalledUsage[] = []
      let entries = 0
      for (const r of rows) {
        const list = JSON.parse(r.entries) as UsageEntry[]
        if (taken.length > 0 && entries + list.length > maxEntries) break
        entries += list.length
        taken.push({ ord: r.ord, agentId: r.agent_id, epoch: r.epoch, entries: list })
      }
      return taken
    },
    remove: async (ords) => {
      if (readOnly) throw new PeekWriteError()
      await flush()
      if (ords.length === 0) return 0
      const rows = await query('DELETE FROM usage_journal WHERE ord = ANY($1::bigint[]) RETURNING ord', [
        ords,
      ])
      return rows.length
    },
    count: async () => {
      await flush()
      const rows = await query<{ n: string }>(
        'SELECT coalesce(sum(json_array_length(entries::json)), 0) AS n FROM usage_journal',
      )
      return Number(rows[0]!.n)
    },
  }
}
