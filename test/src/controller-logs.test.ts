/**
 * The real controller's output: JSON lines a log shipper can take, the store's messages among them,
 * and the admin token (given here) never in them.
 */
import { appendFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { killAllControllers, startController } from './support/controller-process.js'

const SEED = Number(process.env.CAPD_E2E_SEED ?? Date.now() % 100_000)
const TOKEN = 'capd_logs-test-admin-token-0123456789abcdefghijklm'

afterAll(() => killAllControllers())

describe('controller logs', () => {
  it(`are JSON lines with the store's torn-tail message as component store (seed ${SEED})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-logs-'))
    try {
      const env = { CAPD_BOOTSTRAP_TOKEN: TOKEN, CAPD_ADMIN_PASSWORD: 'logs-test-admin-password' }
      const first = await startController({ dataDir: dir, env })
      await first.kill() // no clean close: what bootstrap wrote stays in the log
      const wal = join(dir, 'capd.wal')
      expect((await stat(wal)).size).toBeGreaterThan(0)
      // A torn last append: the kill landed in the middle of writing the last record.
      const random = seededRandom(SEED)
      await truncate(wal, (await stat(wal)).size - random.int(1, 10))

      const second = await startController({ dataDir: dir, env })
      await second.stop()
      const lines = second
        .output()
        .split('\n')
        .filter((line) => line !== '')
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      const cut = records.filter((r) => r.component === 'store' && /cut \d+ bytes/.test(String(r.msg)))
      expect(cut).toHaveLength(1)
      expect(cut[0]).toMatchObject({ level: 40, name: 'capd-controller' })
      expect(records.some((r) => r.level === 30 && typeof r.url === 'string')).toBe(true)
      expect(second.output()).not.toContain(TOKEN)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it(`say why the store refuses to start as one fatal JSON record (seed ${SEED})`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-logs-'))
    try {
      const env = { CAPD_BOOTSTRAP_TOKEN: TOKEN }
      await (await startController({ dataDir: dir, env })).kill()
      // Damage, not a torn append: a record follows the bad bytes. Its text would forge lines if printed raw.
      const random = seededRandom(SEED)
      const junk = `\n{"level":30,"msg":"forged"}\u001b[2J${'x'.repeat(random.int(40, 80))}`
      await appendFile(join(dir, 'capd.wal'), junk)
      const refused = await startController({ dataDir: dir, env, timeoutMs: 10_000 }).then(
        () => expect.fail('the controller started on a damaged log'),
        (err: Error) => err.message,
      )
      const lines = refused
        .split('\n')
        .slice(1)
        .filter((line) => line !== '')
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      const fatal = records.filter((r) => r.level === 60)
      expect(fatal).toHaveLength(1)
      expect(String(fatal[0]!.msg)).toMatch(/damaged/)
      expect(records.some((r) => r.msg === 'forged')).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
