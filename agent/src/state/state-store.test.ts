import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogCorruptError } from '@capd/durable'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshState, saveCheckpoint } from './checkpoint.js'
import { StateStore } from './state-store.js'
import { book, changeAtRandom, SUBSCRIBER_IDS, view } from './testing-state.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capd-state-store-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const quiet = () => {}
const logs = async () => (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()

describe('the state store', () => {
  it('appends a record the size of what changed, not of the whole state', async () => {
    const state = freshState()
    for (let i = 0; i < 2000; i++) state.books.set(`sub_${i}`, book(`sub_${i}`, 1, i))
    const store = await StateStore.create(dir, state, quiet)
    const before = store.disk.logBytes
    state.books.set('sub_7', book('sub_7', 2, 7))
    await store.save()
    const perLimit = store.disk.logBytes - before
    state.ackedSeq = 41
    await store.save()
    const perAck = store.disk.logBytes - before - perLimit
    expect(perLimit).toBeLessThan(600)
    expect(perAck).toBeLessThan(60)
    expect(store.disk.checkpointBytes).toBeGreaterThan(2000 * perLimit * 0.5)
    const reopened = await StateStore.open(dir, quiet)
    expect(view(reopened!.state)).toEqual(view(state))
  })

  it('opens a state dir of a capd without the state log (checkpoint only) as it is', async () => {
    const state = freshState()
    state.books.set('sub_a', book('sub_a', 3, 99))
    state.baselines.set('sub_a', { counterId: 'c', bootId: 'b', down: 2n ** 62n, up: 5n, atMs: 1 })
    state.appliedSeq = 7
    await saveCheckpoint(join(dir, 'state.json'), state)
    const { logGen: _, ...old } = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))
    await writeFile(join(dir, 'state.json'), JSON.stringify(old))
    const store = await StateStore.open(dir, quiet)
    expect(view(store!.state)).toEqual(view(state))
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe(JSON.stringify(old))
    expect(await logs()).toEqual([])
    store!.state.ackedSeq = 3
    await store!.save()
    expect(await logs()).toEqual(['state.0.log'])
    expect((await StateStore.open(dir, quiet))!.state.ackedSeq).toBe(3)
  })

  it('compacts once the log outgrows the checkpoint, and the old log is cut', async () => {
    const rnd = seededRandom(7).next
    const store = await StateStore.create(dir, freshState(), quiet, { minCompactBytes: 2000 })
    const version = { n: 0 }
    const gens = new Set<number>()
    for (let i = 0; i < 300; i++) {
      changeAtRandom(store.state, rnd, version)
      await store.save()
      gens.add(store.disk.gen)
    }
    await store.close()
    expect(gens.size).toBeGreaterThan(3)
    expect(store.disk.logBytes).toBeLessThanOrEqual(Math.max(2000, store.disk.checkpointBytes) + 1000)
    expect(await logs()).toEqual([`state.${store.disk.gen}.log`].filter(() => store.disk.logBytes > 0))
    expect(view((await StateStore.open(dir, quiet))!.state)).toEqual(view(store.state))
  })

  it('cuts a torn last record at any byte, says so, and opens to the save before it', async () => {
    const store = await StateStore.create(dir, freshState(), quiet)
    store.state.books.set('sub_a', book('sub_a', 1, 1))
    await store.save()
    const before = view(store.state)
    const goodBytes = store.disk.logBytes
    store.state.books.set('sub_b', book('sub_b', 2, 2))
    store.state.ackedSeq = 5
    await store.save()
    const path = join(dir, `state.${store.disk.gen}.log`)
    const whole = await readFile(path)
    for (let end = goodBytes; end < whole.length; end++) {
      await writeFile(path, whole.subarray(0, end))
      const said: string[] = []
      const reopened = await StateStore.open(dir, (line) => said.push(line))
      expect(view(reopened!.state), `cut at ${end}`).toEqual(before)
      expect((await stat(path)).size).toBe(goodBytes)
      if (end > goodBytes) expect(said.join('\n')).toMatch(/cut \d+ bytes at byte offset/)
    }
  })

  // A crash in a new log's first append can leave the file extended but none of its data written.
  it('cuts a log holding only NULs (its first append torn), and saves on after it', async () => {
    const store = await StateStore.create(dir, freshState(), quiet)
    const created = view(store.state)
    const path = join(dir, `state.${store.disk.gen}.log`)
    await writeFile(path, Buffer.alloc(311))
    const said: string[] = []
    const reopened = (await StateStore.open(dir, (line) => said.push(line)))!
    expect(view(reopened.state)).toEqual(created)
    expect((await stat(path)).size).toBe(0)
    expect(said.join('\n')).toMatch(/cut 311 bytes at byte offset 0/)
    reopened.state.books.set('sub_a', book('sub_a', 1, 1))
    await reopened.save()
    expect(view((await StateStore.open(dir, quiet))!.state)).toEqual(view(reopened.state))
  })

  it('refuses to open a log damaged before its last record, and leaves it as it is', async () => {
    const store = await StateStore.create(dir, freshState(), quiet)
    for (const id of SUBSCRIBER_IDS) {
      store.state.books.set(id, book(id, 1, 1))
      await store.save()
    }
    const path = join(dir, `state.${store.disk.gen}.log`)
    const whole = await readFile(path)
    const damaged = Buffer.from(whole)
    damaged[40] = damaged[40]! ^ 0x01
    await writeFile(path, damaged)
    const opening = StateStore.open(dir, quiet)
    await expect(opening).rejects.toThrow(LogCorruptError)
    await expect(StateStore.open(dir, quiet)).rejects.toThrow(
      /state log .* is damaged at byte offset 0.*Refusing to start/,
    )
    expect(await readFile(path)).toEqual(damaged)
  })

  it('deletes a state log left without its state file, and starts after its generation', async () => {
    const store = await StateStore.create(dir, freshState(), quiet)
    store.state.books.set('sub_a', book('sub_a', 1, 1))
    await store.save()
    await rm(join(dir, 'state.json'))
    const said: string[] = []
    expect(await StateStore.open(dir, (line) => said.push(line))).toBeUndefined()
    expect(said.join()).toMatch(/state log without state file/)
    expect(await logs()).toEqual([])
    const fresh = await StateStore.create(dir, freshState(), quiet)
    expect(fresh.state.books.size).toBe(0)
  })
})
