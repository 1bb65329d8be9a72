import { createHash } from 'node:crypto'
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseIpPrefix } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { takeBackup } from './backup.js'
import { BackupRefused, decodeBackup } from './backup-file.js'
import { subscriber } from './contract/rows.js'
import { DataDirLockedError } from './lock-file.js'
import { openLowdbStore, STORE_FILE, WAL_FILE } from './lowdb-store.js'
import { RestoreRefused, restoreBackup } from './restore.js'

const dirs: string[] = []
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'capd-restore-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const plan = (id: string) => ({ id, name: id, capBytes: 1, onCap: 'block' as const, createdAtMs: 0 })
const SEED = Number(process.env.CAPD_BACKUP_SEED ?? Math.floor(Math.random() * 2 ** 32))

/** A backup of a store holding plans a, b and c, taken while it runs. */
async function sampleBackup(): Promise<Buffer> {
  const dir = await tempDir()
  const store = await openLowdbStore(dir, () => {}, { snapshotAfterLogBytes: 200 })
  for (const id of ['pln_a', 'pln_b', 'pln_c']) await store.transact(async (tx) => tx.plans.insert(plan(id)))
  const { text } = await takeBackup(dir, { capdVersion: 'test' })
  await store.close()
  return Buffer.from(text)
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

describe('capd restore', () => {
  it('makes a data dir the controller opens, holding what the backup holds', async () => {
    const backup = await sampleBackup()
    const target = join(await tempDir(), 'restored')
    const { header } = await restoreBackup(backup, 'b', target)
    const store = await openLowdbStore(target, (line) => expect.fail(line))
    expect((await store.peek((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a', 'pln_b', 'pln_c'])
    // It carries on from the backup's version: the next commit is the one after it.
    await store.transact(async (tx) => tx.plans.insert(plan('pln_d')))
    await store.close()
    expect(JSON.parse(await readFile(join(target, STORE_FILE), 'utf8')).committedVersion).toBe(
      header.committedVersion + 1,
    )
  })

  it('brings back a subscriber known by its login without an address, out of every overlap check', async () => {
    const dir = await tempDir()
    const store = await openLowdbStore(dir, () => {})
    const { address: _, ...ppp } = subscriber('sub_ppp')
    await store.transact(async (tx) => {
      await tx.subscribers.insert(ppp)
      await tx.subscribers.insert(subscriber('sub_ip', { address: '10.0.0.9' }))
    })
    const { text } = await takeBackup(dir, { capdVersion: 'test' })
    await store.close()
    const target = join(await tempDir(), 'restored')
    await restoreBackup(Buffer.from(text), 'b', target)
    const restored = await openLowdbStore(target, (line) => expect.fail(line))
    const back = await restored.peek((tx) => tx.subscribers.get('sub_ppp'))
    expect(back).toEqual(ppp)
    expect(back).not.toHaveProperty('address')
    const overlapping = (text: string) =>
      restored.peek(async (tx) => (await tx.subscribers.overlappingAddress('agt_1', parseIpPrefix(text)))?.id)
    expect(await overlapping('0.0.0.0/0')).toBe('sub_ip')
    expect(await overlapping('::/0')).toBeUndefined()
    await restored.close()
  })

  it(`refuses every damaged copy and writes nothing (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    const backup = await sampleBackup()
    const parent = await tempDir()
    for (let round = 0; round < 300; round++) {
      const damaged = Buffer.from(backup)
      const kind = random.int(0, 2)
      let bytes: Buffer
      if (kind === 0) {
        const at = random.int(0, damaged.length - 1)
        damaged[at] = damaged[at]! ^ random.int(1, 255)
        bytes = damaged
      } else if (kind === 1) {
        bytes = damaged.subarray(0, random.int(0, damaged.length - 1))
      } else {
        const at = random.int(0, damaged.length)
        bytes = Buffer.concat([
          damaged.subarray(0, at),
          Buffer.from([random.int(0, 255)]),
          damaged.subarray(at),
        ])
      }
      const target = join(parent, `round-${round}`)
      const where = `round ${round}, ${['flip', 'truncate', 'insert'][kind]} (seed ${SEED})`
      await expect(restoreBackup(bytes, 'b', target), where).rejects.toBeInstanceOf(BackupRefused)
      expect(await exists(target), where).toBe(false)
    }
  })

  it('refuses a foreign file, and says which check failed', () => {
    expect(() => decodeBackup(Buffer.from('{"format":"capd-store"}\n'), 'x.json')).toThrow(
      /x.json is not a capd backup/,
    )
    expect(() => decodeBackup(Buffer.alloc(0), 'empty')).toThrow(/not a capd backup/)
  })

  it('refuses a backup of a newer store version, even with a right checksum', async () => {
    const backup = await sampleBackup()
    const body = backup.subarray(backup.indexOf(0x0a) + 1).toString('utf8')
    const newer = body.replace('"storeVersion":2', '"storeVersion":3').replace('"version":2', '"version":3')
    const sha = createHash('sha256').update(newer).digest('hex')
    const forged = Buffer.from(`capd-backup 1 sha256=${sha}\n${newer}`)
    expect(() => decodeBackup(forged, 'newer')).toThrow(/store version 3, newer than this capd's 2/)
  })

  it('refuses a dir that is not empty, and changes nothing in it', async () => {
    const backup = await sampleBackup()
    const target = await tempDir()
    await writeFile(join(target, 'notes.txt'), 'mine')
    await expect(restoreBackup(backup, 'b', target)).rejects.toBeInstanceOf(RestoreRefused)
    expect(await readdir(target)).toEqual(['notes.txt'])
  })

  it('with force, moves the store that was there aside, whole', async () => {
    const backup = await sampleBackup()
    const target = await tempDir()
    const old = await openLowdbStore(target, () => {})
    await old.transact(async (tx) => tx.plans.insert(plan('pln_old')))
    await old.close()
    const oldSnapshot = await readFile(join(target, STORE_FILE), 'utf8')
    const { movedAsideTo } = await restoreBackup(backup, 'b', target, { force: true })
    expect(await readFile(join(movedAsideTo!, STORE_FILE), 'utf8')).toBe(oldSnapshot)
    expect(await exists(join(target, WAL_FILE))).toBe(false)
    const store = await openLowdbStore(target, () => {})
    expect((await store.peek((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a', 'pln_b', 'pln_c'])
    await store.close()
    // Again within the same second: the first restore's files are kept beside, not overwritten.
    const now = new Date('2030-01-02T03:04:05.678Z')
    const first = await restoreBackup(backup, 'b', target, { force: true, now })
    const second = await restoreBackup(backup, 'b', target, { force: true, now })
    expect(second.movedAsideTo).toBe(`${first.movedAsideTo}-2`)
  })

  it('refuses, even with force, while a controller holds the dir', async () => {
    const backup = await sampleBackup()
    const target = await tempDir()
    const running = await openLowdbStore(target, () => {})
    await running.transact(async (tx) => tx.plans.insert(plan('pln_live')))
    const before = await readdir(target)
    await expect(restoreBackup(backup, 'b', target, { force: true })).rejects.toBeInstanceOf(
      DataDirLockedError,
    )
    expect(await readdir(target)).toEqual(before)
    await running.close()
  })

  it('leaves a mark an interrupted restore cannot hide: the controller refuses to start on it', async () => {
    const target = await tempDir()
    await mkdir(target, { recursive: true })
    await writeFile(join(target, `${STORE_FILE}.restoring`), '{}')
    await expect(openLowdbStore(target, () => {})).rejects.toThrow(
      /restore into this data dir was interrupted/,
    )
  })
})
