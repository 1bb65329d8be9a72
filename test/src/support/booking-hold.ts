/**
 * Holds the usage booking of every controller on one PostgreSQL database in the middle of its
 * commit: a transaction of the test's locks `usage_marks` IN EXCLUSIVE MODE (plain reads pass,
 * writes wait), so a controller taking a batch stops at the agent's high-water mark, before the
 * batch's journal row, nothing committed. Killed there, it leaves nothing journalled or booked:
 * the agent must send that batch again, to whichever controller it reaches next.
 */
import { connectPool } from '../../../controller/src/store/postgres/open-pg-store.js'
import { waitFor } from './wait-for.js'

export interface BookingHold {
  /** Resolves once a controller's booking waits on the hold (throws after `timeoutMs`). */
  blocked(timeoutMs?: number): Promise<void>
  /** Ends the hold: waiting bookings go on (or, their controller dead, are rolled back). */
  release(): Promise<void>
}

export async function holdBookings(url: string): Promise<BookingHold> {
  const pool = await connectPool(url, 2)
  const held = await pool.connect()
  try {
    await held.query('BEGIN')
    await held.query('LOCK TABLE usage_marks IN EXCLUSIVE MODE')
  } catch (error) {
    held.release()
    await pool.end()
    throw error
  }
  return {
    async blocked(timeoutMs = 15_000) {
      await waitFor(
        'a controller books usage (its write to usage_marks waits on the hold)',
        async () => {
          // The hold itself waits on its client, not on a lock.
          const { rows } = await pool.query(
            `SELECT 1 FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%usage_marks%'`,
          )
          return rows.length > 0
        },
        { timeoutMs, intervalMs: 20 },
      )
    },
    async release() {
      try {
        await held.query('ROLLBACK')
      } finally {
        held.release()
        await pool.end()
      }
    },
  }
}
