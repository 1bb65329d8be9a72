/**
 * The real controller's e-mail settings: half of them stops it before its store opens, with one
 * fatal record naming what is missing; both start it, and its log names the relay without the
 * password. Neither output ever holds the password.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { killAllControllers, startController } from './support/controller-process.js'

const PASSWORD = 'smtp-pw-never-printed-4Kq2'
const SMTP_URL = `smtp://mailer:${PASSWORD}@127.0.0.1:2525`

afterAll(() => killAllControllers())

function records(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

describe('a controller with e-mail settings', () => {
  it('refuses to start with the relay but no sender, and leaves no store behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-email-'))
    try {
      const refused = await startController({
        dataDir: join(dir, 'data'),
        env: { CAPD_SMTP_URL: SMTP_URL },
        timeoutMs: 60_000,
      }).then(
        () => expect.fail('the controller started without CAPD_MAIL_FROM'),
        (err: Error) => err.message,
      )
      const fatal = records(refused).filter((r) => r.level === 60)
      expect(fatal).toHaveLength(1)
      expect(String(fatal[0]!.msg)).toMatch(/CAPD_MAIL_FROM is not set/)
      expect(refused).not.toContain(PASSWORD)
      expect(await readdir(dir)).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('starts with both, naming the relay in its log without the password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-email-'))
    try {
      const controller = await startController({
        dataDir: join(dir, 'data'),
        env: { CAPD_SMTP_URL: SMTP_URL, CAPD_MAIL_FROM: 'Acme ISP <noc@acme.example>' },
      })
      // A SIGTERM in the first instants after the listening line kills the process before its
      // handler is in place (seen without these changes too): give it a moment.
      await new Promise((r) => setTimeout(r, 1000))
      const code = await controller.stop()
      expect(code, controller.output()).toBe(0)
      const output = controller.output()
      const relay = records(output).find((r) => r.component === 'notify' && r.smtp !== undefined)
      expect(relay?.smtp).toBe('smtp://mailer:***@127.0.0.1:2525')
      expect(output).not.toContain(PASSWORD)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
