/**
 * Periodic jobs run on one controller at a time: a session advisory lock, held on a connection of
 * its own for as long as the job runs (a lost connection lets the lock go with it).
 */
import pg from 'pg'

export async function tryAdvisoryLock(url: string, name: string): Promise<(() => Promise<void>) | undefined> {
  // A database that does not answer is down for now: the job waits for its next turn.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    await client.end().catch(() => {})
    throw err
  }
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended('capd-job:' || $1, 0)) AS ok`,
      [name],
    )
    if (!rows[0]?.ok) {
      await client.end()
      return undefined
    }
  } catch (err) {
    await client.end().catch(() => {})
    throw err
  }
  let released = false
  return async () => {
    if (released) return
    released = true
    // Ending the session lets the lock go even if the unlock is never answered.
    await client.end().catch(() => {})
  }
}
