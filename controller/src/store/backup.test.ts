import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { frameRecord } from '@capd/durable'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { takeBackup } from './backup.js'
import { decodeBackup } from './backup-file.js'
import { openLowdbStore, STORE_FILE, WAL_FILE } from './lowdb-store.js'

const dirs: string[] = []
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'capd-backup-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const plan = (id: string) => ({ id, name: id, capBytes: 1, onCap: 'block' as const, createdAtMs: 0 })
const SEED = Number(process.env.CAPD_BACKUP_SEED ?? Math.floor(Math.random() * 2 ** 32))

/** The files of a data dir, name → bytes, to show a backup changed none of them. */
async function filesOf(dir: string) {
  const files: Record<string, string> = {}
  for (const name of await readdir(dir)) files[name] = (await readFile(join(dir, name))).toString('base64')
  return files
}

describe('capd backup beside a writing store', () => {
  it(`copies the store as it was at one committed version, no older than the backup, however snapshots interleave (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    const dir = await tempDir()
    // A tiny snapshot threshold: a snapshot (and an emptied log) every few commits.
    const store = await openLowdbStore(dir, () => {}, { snapshotAfterLogBytes: 300 })
    // Version k of the store holds exactly the plans the first k transactions left: the model.
    const states: string[][] = [[]]
    const live = new Map<string, string>()
    let made = 0
    const write = async () => {
      const victim = [...live.keys()][random.int(0, live.size)]
      await store.transact(async (tx) => {
        made++
        if (victim !== undefined && random.next() < 0.4) {
          await tx.plans.update({ ...plan(victim), name: `renamed ${made}` })
          live.set(victim, `renamed ${made}`)
        } else {
          await tx.plans.insert(plan(`pln_${made}`))
          live.set(`pln_${made}`, `pln_${made}`)
        }
        states.push([...live].map(([id, name]) => `${id}=${name}`).sort())
      })
    }
    // A controller commits on every start (its currency), so a running store is never without files.
    await write()
    const reads: number[] = []
    for (let b = 0; b < 80; b++) {
      // The store commits between the reader's two files: often across a snapshot.
      // Only on the first read: the store goes quiet (a retry settles) as it does between bursts.
      let first = true
      const betweenFiles = async () => {
        if (!first) return
        first = false
        for (let n = random.int(0, 5); n > 0; n--) await write()
      }
      const committedBefore = states.length - 1
      const backup = await takeBackup(dir, { capdVersion: 'test', betweenFiles })
      reads.push(backup.reads)
      const { header, doc } = decodeBackup(Buffer.from(backup.text), 'backup')
      const where = `backup ${b} at version ${header.committedVersion} (seed ${SEED})`
      const plans = Object.values(doc.plans as Record<string, { id: string; name: string }>)
      expect(plans.map((p) => `${p.id}=${p.name}`).sort(), where).toEqual(states[header.committedVersion])
      // Not older than the backup: everything committed before it began is in it.
      expect(header.committedVersion, where).toBeGreaterThanOrEqual(committedBefore)
    }
    await store.close()
    // The race this is about did happen, and was read again.
    expect(
      reads.some((n) => n > 1),
      `seed ${SEED}`,
    ).toBe(true)
  }, 30_000)

  it('changes no file of the data dir, running or stopped', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, () => {}, { snapshotAfterLogBytes: 200 })
    for (const id of ['pln_a', 'pln_b', 'pln_c', 'pln_d', 'pln_e']) {
      await store.transact(async (tx) => tx.plans.insert(plan(id)))
    }
    await store.snapshotSettled() // the store's own background writes are not the backup's
    const before = await filesOf(dir)
    const running = decodeBackup(Buffer.from((await takeBackup(dir, { capdVersion: 't' })).text), 'b')
    expect(await filesOf(dir)).toEqual(before)
    expect(Object.keys(running.doc.plans as object).sort()).toEqual([
      'pln_a',
      'pln_b',
      'pln_c',
      'pln_d',
      'pln_e',
    ])
    await store.close()
    const stoppedFiles = await filesOf(dir)
    const stopped = decodeBackup(Buffer.from((await takeBackup(dir, { capdVersion: 't' })).text), 'b')
    expect(await filesOf(dir)).toEqual(stoppedFiles)
    expect(stopped.doc.plans).toEqual(running.doc.plans)
    expect(stopped.header.committedVersion).toBe(running.header.committedVersion)
  })

  it('leaves out a torn last log record (an append in flight), without cutting it from the log', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, () => {})
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    await store.transact(async (tx) => tx.plans.insert(plan('pln_b')))
    const wal = join(dir, WAL_FILE)
    const whole = await readFile(wal)
    await truncate(wal, whole.length - 5)
    const backup = decodeBackup(Buffer.from((await takeBackup(dir, { capdVersion: 't' })).text), 'b')
    expect(Object.keys(backup.doc.plans as object)).toEqual(['pln_a'])
    expect((await stat(wal)).size).toBe(whole.length - 5)
    await store.close()
  })

  it('refuses a dir with no store, and a snapshot that is not JSON', async () => {
    const dir = await tempDir()
    await expect(takeBackup(dir, { capdVersion: 't' })).rejects.toThrow(/holds no capd store/)
    await writeFile(join(dir, STORE_FILE), '{"format":"capd-store","vers')
    await expect(takeBackup(dir, { capdVersion: 't' })).rejects.toThrow(/not valid JSON/)
  })

  it('gives up with the reason when the log never continues the snapshot', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, () => {})
    await store.transact(async (tx) => tx.plans.insert(plan('pln_a')))
    await store.close()
    // A log that starts past the snapshot: what a reader sees when a snapshot came in between.
    await writeFile(join(dir, WAL_FILE), frameRecord(JSON.stringify({ v: 9, ops: [] })))
    await expect(takeBackup(dir, { capdVersion: 't', attempts: 3 })).rejects.toThrow(
      /in 3 tries; the last time: .*jumps from version 1 to 9/,
    )
  })
})
