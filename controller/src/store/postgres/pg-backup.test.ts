/** `capd backup --db` and `capd restore --db` on a real server: round trips, refusals, a snapshot under writes. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import pg from 'pg'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { backupCommand } from '../../commands/backup-command.js'
import { restoreCommand } from '../../commands/restore-command.js'
import { createTestDatabase } from '../../testing/pg-database.js'
import { decodeBackup, encodeBackup } from '../backup-file.js'
import type { Data } from '../data.js'
import type { Doc } from '../store-reader.js'
import { openPgStore } from './open-pg-store.js'
import { takePgBackup } from './pg-backup.js'
import { pgSkipReason } from './pg-test-kit.js'
import { sampleData } from './sample-data.js'

const skip = await pgSkipReason()
const SEED = Number(process.env.CAPD_BACKUP_SEED ?? Math.floor(Math.random() * 2 ** 32))

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {})
}, 60_000)

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'capd-pg-backup-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function database() {
  const db = await createTestDatabase()
  cleanup.push(() => db.drop())
  return db
}

async function run(command: (argv: string[]) => Promise<number>, argv: string[]) {
  const out: string[] = []
  vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line))
  vi.spyOn(console, 'error').mockImplementation((line: string) => out.push(line))
  const code = await command(argv)
  vi.restoreAllMocks()
  return { code, out: out.join('\n') }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

const tablesOf = async (url: string) =>
  (
    await query<{ t: string }>(
      url,
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    )
  ).map((r) => r.t)

/** A valid store document of random size, with random audit, keys and counters left out or in. */
function randomDoc(seed: number): Data {
  const random = seededRandom(seed)
  const doc = sampleData(random.int(0, 30))
  doc.audit = doc.audit.filter(() => random.next() < 0.7)
  for (const key of Object.keys(doc.idempotency)) if (random.next() < 0.3) delete doc.idempotency[key]
  for (const name of Object.keys(doc.sequences)) doc.sequences[name] = random.int(1, 10_000)
  doc.committedVersion = random.int(0, 1_000_000)
  return doc
}

/** The document a backup file holds, without the data dir's log version (a database has none). */
const docOf = async (file: string) => {
  const { doc } = decodeBackup(await readFile(file), file)
  const { committedVersion: _, ...rest } = doc
  return rest
}

describe.skipIf(skip)(`capd backup --db and restore --db (seed ${SEED})`, { timeout: 120_000 }, () => {
  it('random documents come back the same: backup → restore --db → backup --db', async () => {
    const dir = await tempDir()
    for (let i = 0; i < 4; i++) {
      const seed = SEED + i
      const first = join(dir, `first-${i}.backup`)
      const second = join(dir, `second-${i}.backup`)
      const doc = randomDoc(seed)
      await writeFile(
        first,
        encodeBackup(doc as unknown as Doc, { capdVersion: 'test', createdAt: new Date() }).text,
      )
      const db = await database()
      const restored = await run(restoreCommand, [first, '--db', db.url])
      expect(restored, `seed ${seed}`).toMatchObject({ code: 0 })
      const backup = await run(backupCommand, ['--db', db.url, '--out', second])
      expect(backup, `seed ${seed}`).toMatchObject({ code: 0 })
      expect(await docOf(second), `seed ${seed}`).toEqual(await docOf(first))
      // The idempotency records keep their age order (pruning stops at the first young one).
      expect(Object.keys((await docOf(second)).idempotency as object)).toEqual(Object.keys(doc.idempotency))
      expect((await run(restoreCommand, [second, '--check'])).code).toBe(0)
    }
  }, 60_000)

  it('refuses a database that is not empty, and changes nothing in it', async () => {
    const dir = await tempDir()
    const file = join(dir, 'one.backup')
    await writeFile(
      file,
      encodeBackup(randomDoc(SEED) as unknown as Doc, { capdVersion: 't', createdAt: new Date() }).text,
    )
    const db = await database()
    expect((await run(restoreCommand, [file, '--db', db.url])).code).toBe(0)
    const before = await takePgBackup(db.url, { capdVersion: 't', now: () => new Date(0) })
    const again = await run(restoreCommand, [file, '--db', db.url])
    expect(again.code).toBe(2)
    expect(again.out).toMatch(/is not empty \(table \w+ has rows\).*Nothing was written/)
    expect((await takePgBackup(db.url, { capdVersion: 't', now: () => new Date(0) })).text).toBe(before.text)
  })

  it('refuses a damaged file and a foreign database before writing anything', async () => {
    const dir = await tempDir()
    const file = join(dir, 'one.backup')
    const text = encodeBackup(randomDoc(SEED) as unknown as Doc, {
      capdVersion: 't',
      createdAt: new Date(),
    }).text
    const random = seededRandom(SEED)
    const at = random.int(text.indexOf('\n') + 1, text.length - 2)
    await writeFile(file, text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1))
    const db = await database()
    const damaged = await run(restoreCommand, [file, '--db', db.url])
    expect(damaged.code).toBe(2)
    expect(damaged.out).toMatch(/is damaged: its SHA-256 does not match.*Nothing was written/)
    expect(await tablesOf(db.url)).toEqual([])

    await writeFile(file, text)
    await query(db.url, 'CREATE TABLE customers (id int)')
    const foreign = await run(restoreCommand, [file, '--db', db.url])
    expect(foreign.code).toBe(2)
    expect(foreign.out).toMatch(/not a capd database \(tables public\.customers\)/)
    expect(await tablesOf(db.url)).toEqual(['customers'])
  })

  it('upgrades an older store version first, as capd migrate does', async () => {
    const dir = await tempDir()
    const file = join(dir, 'v1.backup')
    const v1 = JSON.parse(await readFile(new URL('../testdata/store-v1.json', import.meta.url), 'utf8'))
    await writeFile(file, encodeBackup(v1, { capdVersion: 'old', createdAt: new Date() }).text)
    const db = await database()
    const restored = await run(restoreCommand, [file, '--db', db.url])
    expect(restored, restored.out).toMatchObject({ code: 0 })
    expect(restored.out).toMatch(/upgraded the store from version 1 to 2 first/)
    const store = await openPgStore({ url: db.url, max: 2 })
    cleanup.push(() => store.close())
    const data = await store.dumpData()
    expect(data.plans).toEqual(v1.plans)
    expect(data.migrations).toEqual([expect.objectContaining({ from: 1, to: 2 })])
  })

  it('backs up one snapshot while transactions commit', async () => {
    const db = await database()
    const store = await openPgStore({ url: db.url, max: 4 })
    cleanup.push(() => store.close())
    let stop = false
    let n = 0
    // Each transaction adds a plan and a top-up plan, read by separate statements of the dump: a
    // dump outside one snapshot would catch a commit between them and hold more of one than the other.
    const writer = (async () => {
      while (!stop) {
        const id = `${++n}`
        await store.transact(async (tx) => {
          await tx.plans.insert({ id: `pln_${id}`, name: 'p', capBytes: 1, onCap: 'block', createdAtMs: 0 })
          await tx.topUpPlans.insert({
            id: `tpl_${id}`,
            name: 't',
            bytes: 1,
            price: { amount: 1, currency: 'USD' },
            createdAtMs: 0,
          })
        })
      }
    })()
    const seen: [number, number][] = []
    for (let i = 0; i < 8; i++) {
      const { header } = await takePgBackup(db.url, { capdVersion: 't' })
      seen.push([header.counts.plans ?? 0, header.counts.topUpPlans ?? 0])
    }
    stop = true
    await writer
    expect(seen.filter(([a, b]) => a !== b)).toEqual([])
    expect(seen.at(-1)![0]).toBeGreaterThan(0)
  })

  it('refuses a database with no capd store, naming it without its password', async () => {
    const db = await database()
    const url = new URL(db.url)
    url.password = 'hunter2'
    const res = await run(backupCommand, ['--db', url.toString(), '--out', join(await tempDir(), 'x')])
    expect(res.code).toBe(2)
    expect(res.out).toMatch(/holds no capd store/)
    expect(res.out).not.toContain('hunter2')
  })
})
