/**
 * The real controller with half a Stripe configuration: it stops before opening its store, with one
 * fatal JSON record that names the missing variable and never the key it was given.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killAllControllers, startController } from './support/controller-process.js'

const KEY = 'sk_test_capd_never_printed_0123456789'

afterAll(() => killAllControllers())

describe('a controller with half a Stripe configuration', () => {
  it('refuses to start, says what is missing, and leaves no store behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-stripe-'))
    try {
      const refused = await startController({
        dataDir: join(dir, 'data'),
        env: { CAPD_STRIPE_SECRET_KEY: KEY },
        timeoutMs: 10_000,
      }).then(
        () => expect.fail('the controller started without the webhook secret'),
        (err: Error) => err.message,
      )
      const records = refused
        .split('\n')
        .slice(1)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      const fatal = records.filter((r) => r.level === 60)
      expect(fatal).toHaveLength(1)
      expect(String(fatal[0]!.msg)).toMatch(/CAPD_STRIPE_WEBHOOK_SECRET is not set/)
      expect(refused).not.toContain(KEY)
      expect(await readdir(dir)).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
