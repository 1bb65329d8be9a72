import {
  access,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DataDirOwnerError } from '../store/data-dir-owner.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import { backupCommand } from './backup-command.js'
import { migrateCommand } from './migrate-command.js'
import { restoreCommand } from './restore-command.js'

const dirs: string[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** Runs a command, capturing what it printed. */
async function run(command: (argv: string[]) => Promise<number>, argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line))
  vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line))
  const code = await command(argv)
  vi.restoreAllMocks()
  return { code, out: out.join('\n'), err: err.join('\n') }
}

async function storeDir() {
  const root = await mkdtemp(join(tmpdir(), 'capd-commands-'))
  dirs.push(root)
  const data = join(root, 'data')
  const store = await openLowdbStore(data, () => {})
  await store.transact(async (tx) =>
    tx.plans.insert({ id: 'pln_a', name: 'A', capBytes: 1, onCap: 'block', createdAtMs: 0 }),
  )
  await store.close()
  return { root, data }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

describe('capd backup, restore and migrate on the command line', () => {
  it('backs up to a file, checks it, and restores it', async () => {
    const { root, data } = await storeDir()
    const file = join(root, 'one.backup')
    const backup = await run(backupCommand, ['--data', data, '--out', file])
    expect(backup).toMatchObject({ code: 0 })
    expect(backup.err).toMatch(/wrote .*one\.backup: store version 2 at committed version 1/)
    const check = await run(restoreCommand, [file, '--check'])
    expect(check.code).toBe(0)
    expect(check.out).toMatch(/is a whole capd backup/)
    expect(check.out).toMatch(/"plans":1/)
    const restore = await run(restoreCommand, [file, '--data', join(root, 'new')])
    expect(restore.code).toBe(0)
    expect(await readFile(join(root, 'new', 'capd.json'), 'utf8')).toContain('"pln_a"')
  })

  it('writes the backup to stdout with --out -', async () => {
    const { data } = await storeDir()
    const chunks: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string, cb?: () => void) => {
      chunks.push(chunk)
      cb?.()
      return true
    }) as typeof process.stdout.write)
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await backupCommand(['--data', data, '--out', '-'])).toBe(0)
    vi.restoreAllMocks()
    expect(chunks.join('')).toMatch(/^capd-backup 1 sha256=[0-9a-f]{64}\n/)
  })

  it('refuses a damaged backup with exit code 2 and writes nothing', async () => {
    const { root, data } = await storeDir()
    const file = join(root, 'one.backup')
    await run(backupCommand, ['--data', data, '--out', file])
    const bytes = await readFile(file)
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 1
    await writeFile(file, bytes)
    const check = await run(restoreCommand, [file, '--check'])
    expect(check.code).toBe(2)
    expect(check.err).toMatch(/is damaged: its SHA-256 does not match/)
    const restore = await run(restoreCommand, [file, '--data', join(root, 'new')])
    expect(restore.code).toBe(2)
    expect(restore.err).toMatch(/Nothing was written\.$/)
    expect(await exists(join(root, 'new'))).toBe(false)
  })

  it('refuses a non-empty dir with exit code 2', async () => {
    const { root, data } = await storeDir()
    const file = join(root, 'one.backup')
    await run(backupCommand, ['--data', data, '--out', file])
    const before = await readdir(data)
    const restore = await run(restoreCommand, [file, '--data', data])
    expect(restore.code).toBe(2)
    expect(restore.err).toMatch(/is not empty/)
    expect(await readdir(data)).toEqual(before)
  })

  it('migrate: an old store is upgraded, a current one is left alone, a newer one refused with exit code 2', async () => {
    const { root } = await storeDir()
    const old = join(root, 'old')
    await mkdir(old)
    await copyFile(new URL('../store/testdata/store-v1.json', import.meta.url), join(old, 'capd.json'))
    const upgraded = await run(migrateCommand, ['--data', old])
    expect(upgraded.code).toBe(0)
    expect(upgraded.out).toMatch(
      /upgraded from store version 1 to 2; the old files are kept as .*capd\.json\.v1/,
    )
    const again = await run(migrateCommand, ['--data', old])
    expect(again).toMatchObject({ code: 0 })
    expect(again.out).toMatch(/already at store version 2; nothing to do/)
    const doc = JSON.parse(await readFile(join(old, 'capd.json'), 'utf8'))
    await writeFile(join(old, 'capd.json'), JSON.stringify({ ...doc, version: 3 }))
    const newer = await run(migrateCommand, ['--data', old])
    expect(newer.code).toBe(2)
    expect(newer.err).toMatch(/store version 3, newer than this capd's 2/)
  })

  it('says what is wrong with the arguments, with exit code 2', async () => {
    expect((await run(backupCommand, ['--bogus'])).code).toBe(2)
    expect((await run(restoreCommand, [])).err).toMatch(/give exactly one backup FILE/)
    expect((await run(restoreCommand, ['x.backup'])).err).toMatch(/give --data DIR, --db URL \(or --check\)/)
    const both = ['--data', 'd', '--db', 'postgres://127.0.0.1/x']
    expect((await run(restoreCommand, ['x.backup', ...both])).err).toMatch(
      /give --data DIR or --db URL, not both/,
    )
    expect((await run(backupCommand, both)).err).toMatch(/give --data DIR or --db URL, not both/)
    expect((await run(restoreCommand, ['x.backup', '--db', 'postgres://h/x', '--force'])).err).toMatch(
      /--force is for --data only/,
    )
    expect((await run(migrateCommand, [])).err).toMatch(/give --data DIR/)
  })
})

describe('capd restore, migrate and the controller run as root on a data dir that belongs to another user', () => {
  /** Needs root to hand a dir to nobody; under CI=true a missing prerequisite fails. */
  const notRoot =
    process.getuid?.() === 0 ? undefined : 'needs root (to run as root, and to chown a dir to nobody)'
  const skip = () => {
    if (!notRoot) return false
    if (process.env.CI === 'true') throw new Error(`CI=true, so this must run, but it ${notRoot}`)
    console.warn(`skipped: ${notRoot}`)
    return true
  }
  /** Every file under `dir` with its owner and content, to show nothing changed. */
  const contents = async (dir: string) => {
    const names = (await readdir(dir, { recursive: true })).sort()
    return Promise.all(
      names.map(async (name) => {
        const path = join(dir, name)
        const info = await stat(path)
        return {
          name,
          uid: info.uid,
          mode: info.mode,
          text: info.isFile() ? await readFile(path, 'utf8') : '',
        }
      }),
    )
  }
  /** A store, then a backup of it, then the data dir (and everything in it) handed to nobody. */
  async function nobodysStore() {
    const { root, data } = await storeDir()
    const file = join(root, 'one.backup')
    expect((await run(backupCommand, ['--data', data, '--out', file])).code).toBe(0)
    for (const entry of [data, ...(await readdir(data)).map((name) => join(data, name))])
      await chown(entry, 65534, 65534)
    return { root, data, file, before: await contents(data) }
  }

  it('refuses with exit code 2 and the command to run as the owner, and writes nothing', async () => {
    if (skip()) return
    const { data, file, before } = await nobodysStore()
    const migrate = await run(migrateCommand, ['--data', data])
    expect(migrate.code).toBe(2)
    expect(migrate.err).toContain(`${data} belongs to user nobody (uid 65534), and this runs as root`)
    expect(migrate.err).toMatch(new RegExp(`: sudo -u nobody capd migrate --data ${data}$`))
    const restore = await run(restoreCommand, [file, '--data', data, '--force'])
    expect(restore.code).toBe(2)
    expect(restore.err).toMatch(new RegExp(`: sudo -u nobody capd restore ${file} --data ${data} --force$`))
    await expect(openLowdbStore(data, () => {})).rejects.toBeInstanceOf(DataDirOwnerError)
    // No lock file, no moved-aside store, no root-owned file: the dir is as it was.
    expect(await contents(data)).toEqual(before)
  })

  it("restores as root into a new dir, which is root's, and says whom to give it to", async () => {
    if (skip()) return
    const { root, file } = await nobodysStore()
    const fresh = join(root, 'fresh')
    const restore = await run(restoreCommand, [file, '--data', fresh])
    expect(restore.code).toBe(0)
    expect(restore.out).toContain(`chown -R capd:capd ${fresh}`)
    expect((await stat(join(fresh, 'capd.json'))).uid).toBe(0)
  })
})
