import { readFileSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createSessionSource } from './session-source.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

async function script(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capd-sessions-'))
  dirs.push(dir)
  const path = join(dir, 'run')
  await writeFile(path, `#!/bin/sh\n${body}\n`)
  await chmod(path, 0o755)
  return path
}

describe('createSessionSource', () => {
  it('asks accel-cmd for the session table at the configured CLI address', async () => {
    // A stand-in accel-cmd that answers only the exact command line expected of it.
    const accelCmd = await script(
      `[ "$*" = "-H 192.0.2.1 -p 2002 show sessions ifname,username,ip,ip6,ip6-dp" ] || { echo "args: $*" >&2; exit 1; }
printf ' ifname | username | ip | ip6 | ip6-dp \\r\\n--------+----------+----+-----+-------\\r\\n ppp0 | alice | 10.0.0.2 |  |  \\r\\n'`,
    )
    const source = createSessionSource({ kind: 'accel-ppp', accelCmd, host: '192.0.2.1', port: 2002 })
    const sessions = await source.read()
    expect(sessions.map((s) => [s.login, s.prefix.text, s.ifname])).toEqual([['alice', '10.0.0.2', 'ppp0']])
  })

  it('says once per bad line, however many reads print it', async () => {
    const warnings: string[] = []
    const argv = [await script('echo "alice 10.0.0.2"; echo "what is this line"')]
    const source = createSessionSource({ kind: 'command', argv }, (line) => warnings.push(line))
    for (let i = 0; i < 3; i++) expect(await source.read()).toHaveLength(1)
    expect(warnings).toEqual([
      expect.stringMatching(/line ignored: "what is this line": expected "login address \[ifname\]"/),
    ])
  })

  it('fails with the command, its exit and its first stderr line; a timeout and a missing program too', async () => {
    const failing = await script('echo "no such service" >&2; echo "ignored" >&2; exit 2')
    await expect(createSessionSource({ kind: 'command', argv: [failing] }).read()).rejects.toThrow(
      /^reading sessions: .*run failed \(exit 2\): no such service$/,
    )
    const slow = await script('exec sleep 5')
    await expect(
      createSessionSource({ kind: 'command', argv: [slow], timeoutMs: 200 }).read(),
    ).rejects.toThrow(/timed out after 200 ms/)
    await expect(
      createSessionSource({ kind: 'command', argv: ['/nonexistent/list-sessions'] }).read(),
    ).rejects.toThrow(/cannot run \/nonexistent\/list-sessions: .*ENOENT/)
    const notATable = await script('echo "unknown column ip6-dp"')
    await expect(createSessionSource({ kind: 'accel-ppp', accelCmd: notATable }).read()).rejects.toThrow(
      /sessions from .* did not print a session table: "unknown column ip6-dp"/,
    )
  })

  it('fails a read whose output passes 16 MiB, without parsing it', async () => {
    const huge = await script(`head -c ${16 * 1024 * 1024 + 1} /dev/zero | tr '\\0' a`)
    await expect(createSessionSource({ kind: 'command', argv: [huge] }).read()).rejects.toThrow(
      /reading sessions: .*run printed more than 16 MiB/,
    )
    const justUnder = await script(
      `echo "alice 10.0.0.2"; head -c ${16 * 1024 * 1024 - 100} /dev/zero | tr '\\0' '#'`,
    )
    expect(await createSessionSource({ kind: 'command', argv: [justUnder] }).read()).toHaveLength(1)
  })

  it('on a timeout kills what the command started too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-sessions-'))
    dirs.push(dir)
    const pidFile = join(dir, 'pid')
    const forks = await script(`sleep 60 & echo $! > '${pidFile}'; wait`)
    await expect(
      createSessionSource({ kind: 'command', argv: [forks], timeoutMs: 300 }).read(),
    ).rejects.toThrow(/timed out after 300 ms/)
    const pid = Number((await readFile(pidFile, 'utf8')).trim())
    await until(() => !alive(pid), `the command's child ${pid} to be killed`)
  })

  describe('the environment', () => {
    afterEach(() => {
      delete process.env.CAPD_TEST_AGENT_SECRET
    })

    it("gives the command PATH and LANG, not the agent's other variables", async () => {
      process.env.CAPD_TEST_AGENT_SECRET = 'do-not-pass'
      const names = await script(
        '[ -z "$CAPD_TEST_AGENT_SECRET" ] || exit 9; [ -n "$PATH" ] || exit 8; echo "alice 10.0.0.2"',
      )
      expect(await createSessionSource({ kind: 'command', argv: [names] }).read()).toHaveLength(1)
    })
  })

  it('refuses a program that is not an absolute path', () => {
    expect(() => createSessionSource({ kind: 'command', argv: ['list-sessions'] })).toThrow(
      /argv\[0\] must be an absolute path/,
    )
    expect(() => createSessionSource({ kind: 'accel-ppp', accelCmd: 'bin/accel-cmd' })).toThrow(
      /accelCmd must be an absolute path/,
    )
  })
})

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`waited 5 s for ${what}`)
}
