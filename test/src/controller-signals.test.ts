/**
 * The real controller without --tls-cert and SIGHUP (`systemctl reload capd-controller`, a certbot
 * hook): it has nothing to reload, says so, and keeps serving; SIGTERM still stops it cleanly.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killAllControllers, startController } from './support/controller-process.js'
import { waitFor } from './support/wait-for.js'

const TOKEN = 'capd_signals-test-admin-token-0123456789abcdef'

afterAll(() => killAllControllers())

describe('the controller without TLS', () => {
  it('keeps serving after SIGHUP, then stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-signals-'))
    try {
      const controller = await startController({ dataDir: dir, env: { CAPD_BOOTSTRAP_TOKEN: TOKEN } })
      const plans = () =>
        fetch(`${controller.baseUrl}/api/v1/plans`, { headers: { authorization: `Bearer ${TOKEN}` } })
      // Twice: a second SIGHUP must find the handler still there.
      for (const round of [1, 2]) {
        process.kill(controller.pid, 'SIGHUP')
        await waitFor(
          `SIGHUP ${round} to be logged`,
          () => controller.output().match(/SIGHUP, nothing to reload/g)?.length === round,
        )
        expect((await fetch(`${controller.baseUrl}/healthz`)).status).toBe(200)
        expect((await plans()).status).toBe(200)
      }
      expect(existsSync(join(dir, 'capd.lock'))).toBe(true)
      expect(await controller.stop()).toBe(0)
      expect(controller.output()).toMatch(/SIGTERM, stopping/)
      // A clean stop releases the data dir.
      expect(existsSync(join(dir, 'capd.lock'))).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
