/**
 * `capd import subscribers` end to end: the command as the CLI runs it, against the controller's
 * app served on a real port, for each file format; and once as its own process through `capd`.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TEST_TOKEN, testApp } from '../testing/test-app.js'
import { importCommand } from './import-command.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const close of closers.splice(0)) await close()
})

/** The seeded app (Alice at 10.0.0.5 on tower-1, plan "Basic 100 GB") on a real port, and a scratch dir. */
async function served() {
  const t = await testApp()
  await t.seed()
  await t.call('POST', '/plans', { name: 'Home 20', capBytes: 20e9, onCap: 'block' })
  const server = await t.serve()
  closers.push(server.close)
  const dir = await mkdtemp(join(tmpdir(), 'capd-import-'))
  closers.push(() => rm(dir, { recursive: true, force: true }))
  const url = `http://127.0.0.1:${server.port}`
  /** Runs the command with these arguments, the URL and token added; its exit code and what it printed. */
  async function capdImport(file: string, ...args: string[]) {
    const out: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line))
    vi.spyOn(console, 'error').mockImplementation((line: string) => out.push(line))
    const code = await importCommand(['subscribers', file, '--url', url, '--token', TEST_TOKEN, ...args])
    vi.restoreAllMocks()
    return { code, output: out.join('\n') }
  }
  const file = async (name: string, text: string) => {
    const path = join(dir, name)
    await writeFile(path, text)
    return path
  }
  const logins = async () =>
    (await t.call('GET', '/subscribers?limit=100')).body.items.map((s: { login: string }) => s.login).sort()
  return { ...t, url, dir, file, capdImport, logins }
}

/** A port nothing listens on (one that was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('capd import subscribers', () => {
  it('capd CSV: a dry run changes nothing, the import creates, a second run finds all unchanged', async () => {
    const t = await served()
    const path = await t.file(
      'subscribers.csv',
      '\uFEFFlogin,name,email,phone,address,plan,agent,billing_day\r\n' +
        'bob,"Bob, Jr.",bob@example.net,+254 712 345 678,10.0.0.6,Home 20,tower-1,15\r\n' +
        'carol,Carol,,,10.0.1.0/30,Basic 100 GB,tower-1,\r\n',
    )
    const before = t.snapshot()
    const dry = await t.capdImport(path, '--dry-run')
    expect(dry.code).toBe(0)
    expect(dry.output).toContain('capd CSV (told from the header row)')
    expect(dry.output).toContain(
      '2 to create, 0 to update, 0 unchanged, 0 refused; dry run: nothing was changed',
    )
    expect(t.snapshot()).toBe(before)

    const run = await t.capdImport(path)
    expect(run.code).toBe(0)
    expect(run.output).toContain('2 to create, 0 to update, 0 unchanged, 0 refused; done')
    expect(await t.logins()).toEqual(['alice', 'bob', 'carol'])

    // The token may come from a file (out of the process list).
    const tokenFile = await t.file('token', `${TEST_TOKEN}\n`)
    const again = await t.capdImport(path, '--format', 'capd', '--token', pathToFileURL(tokenFile).href)
    expect(again.code).toBe(0)
    expect(again.output).toContain('capd CSV (as --format says)')
    expect(again.output).toContain('0 to create, 0 to update, 2 unchanged, 0 refused; done')
  })

  it('capd CSV: an empty address cell makes a subscriber known by its login', async () => {
    const t = await served()
    const path = await t.file(
      'pppoe.csv',
      'login,name,address,plan,agent\n' + 'pat,Pat,,Home 20,tower-1\n' + 'sam,Sam,10.0.0.8,Home 20,tower-1\n',
    )
    const run = await t.capdImport(path)
    expect(run.code).toBe(0)
    expect(run.output).toContain('2 to create, 0 to update, 0 unchanged, 0 refused; done')
    const byLogin = (login: string) => Object.values(t.data.subscribers).find((s) => s.login === login)
    expect(byLogin('pat')).toBeDefined()
    expect(byLogin('pat')).not.toHaveProperty('address')
    expect(byLogin('sam')?.address).toBe('10.0.0.8')
  })

  it('LibreQoS: one subscriber per circuit; a clash with an existing address refuses the whole file', async () => {
    const t = await served()
    const header =
      'Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n'
    const rows = [
      'c1,"1 Main St, Town",d1,Router,AP_A,,100.64.0.1,fdd7::/56,1,1,20,5,\n',
      'c2,Two devices,d2,Router,AP_A,,10.0.0.0/29,,1,1,100,20,\n',
      'c2,Two devices,d3,Phone,AP_A,,,,1,1,100,20,\n',
    ]
    const clash = await t.file('ShapedDevices.csv', header + rows.join(''))
    const before = t.snapshot()
    const refused = await t.capdImport(
      clash,
      '--agent',
      'tower-1',
      '--map-plan',
      '20/5=Home 20',
      '--plan',
      'Basic 100 GB',
    )
    expect(refused.code).toBe(1)
    expect(refused.output).toContain('LibreQoS ShapedDevices.csv (told from the header row)')
    expect(refused.output).toContain(
      'line 3: address 10.0.0.0/29 overlaps 10.0.0.5 of subscriber "alice" on agent "tower-1"',
    )
    expect(refused.output).toContain('line 2: note for "c1": fdd7::/56 not imported')
    expect(refused.output).toContain('1 to create, 0 to update, 0 unchanged, 1 refused; nothing was changed')
    expect(t.snapshot()).toBe(before)

    const fixed = await t.file(
      'ShapedDevices2.csv',
      header + rows[0] + rows[1]!.replace('10.0.0.0/29', '10.0.2.0/29'),
    )
    const run = await t.capdImport(
      fixed,
      '--agent',
      'tower-1',
      '--map-plan',
      '20/5=Home 20',
      '--plan',
      'Basic 100 GB',
    )
    expect(run.code).toBe(0)
    expect(await t.logins()).toEqual(['alice', 'c1', 'c2'])
    const c1 = (await t.call('GET', '/subscribers?q=c1')).body.items[0]
    expect(c1).toMatchObject({ name: '1 Main St, Town', address: '100.64.0.1' })
  })

  it('Splynx: active customers only, tariffs mapped, a changed name is an update', async () => {
    const t = await served()
    const text = (aliceName: string) =>
      'ID,Status,Portal login,Full name,Email,Phone number,Internet plans,IPs\r\n' +
      `1,Active,alice,${aliceName},,,Basic 100 GB,10.0.0.5\r\n` +
      '2,Active,dave,Dave,dave@example.net,+254700000001,HOME-20M,10.0.3.1\r\n' +
      '3,Inactive,erin,Erin,,,HOME-20M,10.0.3.2\r\n'
    const first = await t.capdImport(
      await t.file('customers.csv', text('Alice')),
      '--agent',
      'tower-1',
      '--map-plan',
      'HOME-20M=Home 20',
    )
    expect(first.code).toBe(0)
    expect(first.output).toContain('Splynx customer export (told from the header row)')
    expect(first.output).toContain('line 4: skipped "erin": status Inactive')
    expect(first.output).toContain('1 to create, 0 to update, 1 unchanged, 0 refused, 1 skipped; done')
    const second = await t.capdImport(
      await t.file('customers2.csv', text('Alice Smith')),
      '--agent',
      'tower-1',
      '--map-plan',
      'HOME-20M=Home 20',
      '--include-inactive',
    )
    expect(second.code).toBe(0)
    expect(second.output).toContain('line 2: update "alice": name "Alice" → "Alice Smith"')
    expect(second.output).toContain('1 to create, 1 to update, 1 unchanged, 0 refused; done')
    expect(await t.logins()).toEqual(['alice', 'dave', 'erin'])
  })

  it('answers 2, changing nothing, to a file, format, option or controller it cannot use', async () => {
    const t = await served()
    const good = await t.file('ok.csv', 'login,name,address,plan,agent\nzed,Zed,10.0.9.1,Home 20,tower-1\n')
    const latin1 = async (text: string) => {
      const path = join(t.dir, 'latin1.csv')
      await writeFile(path, Buffer.from(text, 'latin1'))
      return path
    }
    const before = t.snapshot()
    const cases: [string[], RegExp][] = [
      [[join(t.dir, 'missing.csv')], /ENOENT/],
      [[await t.file('odd.csv', 'a,b\n1,2\n')], /cannot tell the format/],
      [[await latin1('login,name,address\nzoe,Zoë,10.0.9.2\n')], /not UTF-8/],
      [[await t.file('bad.csv', 'login,name,address\n"zed,Zed\n')], /quote/i],
      [[good, '--format', 'xml'], /--format "xml"/],
      [[good, '--map-plan', 'no-equals-sign'], /--map-plan/],
      [[good, '--format', 'libreqos'], /lacks LibreQoS's columns/],
    ]
    for (const [args, message] of cases) {
      const { code, output } = await t.capdImport(args[0]!, ...args.slice(1))
      expect(code, args.join(' ')).toBe(2)
      expect(output).toMatch(message)
    }
    const wrongToken = await t.capdImport(good, '--token', 'not-a-token')
    expect(wrongToken.code).toBe(2)
    expect(wrongToken.output).toContain('the controller refused the API token')
    const closed = await t.capdImport(good, '--url', `http://127.0.0.1:${await closedPort()}`)
    expect(closed.code).toBe(2)
    expect(closed.output).toMatch(/cannot reach the controller at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/)
    expect(t.snapshot()).toBe(before)
  })
})

describe('capd import as its own process', () => {
  const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
  const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

  it('exits 1 for refused rows and 0 once they are fixed, printing the report', async () => {
    const t = await served()
    const run = async (text: string) => {
      const path = await t.file(`f${Math.random()}.csv`, text)
      const args = ['--import', TSX_LOADER, 'cli/src/main.ts', 'import', 'subscribers', path, '--url', t.url]
      const { NODE_OPTIONS: _ignored, ...env } = process.env
      return new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          args,
          { cwd: REPO_ROOT, env: { ...env, CAPD_API_TOKEN: TEST_TOKEN } },
          (err, stdout) => resolve({ code: err ? Number(err.code) : 0, stdout }),
        )
      })
    }
    const bad = await run('login,name,address,plan,agent\nzed,Zed,10.0.0.5,Home 20,tower-1\n')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain(
      'line 2: address 10.0.0.5 already belongs to subscriber "alice" on agent "tower-1"',
    )
    const good = await run('login,name,address,plan,agent\nzed,Zed,10.0.0.6,Home 20,tower-1\n')
    expect(good.code).toBe(0)
    expect(await t.logins()).toEqual(['alice', 'zed'])
  }, 60_000)
})
