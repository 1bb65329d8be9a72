import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { postgresUnavailable, TEST_SERVER_URL } from '../../testing/pg-database.js'
import { CommitListener } from './commit-listener.js'

const unavailable = await postgresUnavailable()
const mustRun = process.env.CI === 'true'

afterEach(() => {
  vi.restoreAllMocks()
})

/** Sessions on the server with this application_name. */
async function sessionsNamed(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
      [name],
    )
    return Number(rows[0]!.n)
  } finally {
    await client.end()
  }
}

describe.skipIf(unavailable !== undefined && !mustRun)('the LISTEN connection', () => {
  it('is closed, not left open, when LISTEN itself is refused (a standby in recovery)', async () => {
    const name = `capd-listen-${randomBytes(4).toString('hex')}`
    const url = new URL(TEST_SERVER_URL)
    url.searchParams.set('application_name', name)
    const listener = new CommitListener({
      url: url.toString(),
      origin: 'test',
      announce: () => {},
      liveSubscriberIds: async () => [],
      warn: () => {},
    })
    vi.spyOn(pg.Client.prototype, 'query').mockImplementationOnce(() =>
      Promise.reject(new Error('cannot execute LISTEN during recovery')),
    )
    await expect(listener.start()).rejects.toThrow(/during recovery/)
    vi.restoreAllMocks()
    await listener.close()
    expect(await sessionsNamed(name)).toBe(0)
  })
})
