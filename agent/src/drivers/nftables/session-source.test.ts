import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
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
})
