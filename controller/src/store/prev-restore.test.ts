import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openLowdbStore, STORE_FILE, WAL_FILE } from './lowdb-store.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})
const quiet = (line: string) => expect.fail(`unexpected store message: ${line}`)
const plan = (id: string) => ({ id, name: id, capBytes: 1, onCap: 'block' as const, createdAtMs: 0 })

describe('restoring the previous generation (.prev)', () => {
  it('says exactly what it lacks, and restoring as told starts with what it holds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-prev-'))
    dirs.push(dir)
    for (const id of ['pln_a', 'pln_b']) {
      const store = await openLowdbStore(dir, quiet)
      await store.transact(async (tx) => tx.plans.insert(plan(id)))
      await store.close() // a snapshot each: capd.json holds a and b, capd.json.prev only a
    }
    const live = await openLowdbStore(dir, quiet)
    await live.transact(async (tx) => tx.plans.insert(plan('pln_c')))
    await live.transact(async (tx) => tx.plans.insert(plan('pln_d')))
    // A crash with two transactions in the log, then the snapshot is damaged.
    const crashed = await mkdtemp(join(tmpdir(), 'capd-prev-crashed-'))
    dirs.push(crashed)
    for (const name of [STORE_FILE, `${STORE_FILE}.prev`, WAL_FILE])
      await copyFile(join(dir, name), join(crashed, name))
    await live.close()
    const file = join(crashed, STORE_FILE)
    const wal = join(crashed, WAL_FILE)
    await writeFile(file, '{"format":"capd-st')

    const error = await openLowdbStore(crashed, quiet).catch((err: Error) => err)
    expect(error).toBeInstanceOf(Error)
    const message = (error as Error).message
    expect(message).toMatch(/lacks every change committed after .*20\d\d-/)
    expect(message).toContain(`the 2 transactions in ${wal}`)
    expect(message).toContain('not replayed onto it')
    const commands = message.split('\n').filter((l) => l.startsWith('  '))
    expect(commands.length).toBeGreaterThanOrEqual(2)
    // Do as told (the commands are plain cp/mv of quoted paths).
    for (const command of commands) {
      const [verb, from, to] = command.trim().split(' ')
      if (verb === 'cp') await copyFile(from!, to!)
      else if (verb === 'mv') await rename(from!, to!)
      else expect.fail(`unexpected command ${command}`)
    }
    const restored = await openLowdbStore(crashed, quiet)
    expect((await restored.transact((tx) => tx.plans.list())).map((p) => p.id)).toEqual(['pln_a'])
    await restored.close()
    expect(await readFile(`${wal}.unreplayed`, 'latin1')).not.toBe('')
  })
})
