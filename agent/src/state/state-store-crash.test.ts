import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it, vi } from 'vitest'

vi.mock('node:fs/promises', async (importOriginal) => {
  const { crashingFs } = await import('./testing-crash-disk.js')
  return crashingFs(await importOriginal<typeof import('node:fs/promises')>())
})

const { Crash, DiskFull, disk, nextTurn, resetDisk } = await import('./testing-crash-disk.js')
const { StateStore } = await import('./state-store.js')
const { freshState } = await import('./checkpoint.js')
const { changeAtRandom, view } = await import('./testing-state.js')

type View = ReturnType<typeof view>
const quiet = () => {}

/** What the crashes left for an open to sort out, so a run that never met a case fails. */
const left = { interruptedCompactions: 0, staleLogs: 0 }

/**
 * Saves random changes (returning how many file changes the first life made), the process dying
 * at the `at`-th file change (or, past the last, at the end, perhaps mid-compaction); reopens and checks the state is the last one a save resolved with
 * or the one being saved; then goes on from there, dies again, and so on.
 */
async function round(seed: number, dir: string, at: number): Promise<number> {
  const rnd = seededRandom(seed).next
  const options = { minCompactBytes: 400 + Math.floor(rnd() * 3000) }
  resetDisk(rnd)
  let store = await StateStore.create(dir, freshState(), quiet, options)
  const version = { n: 0 }
  let lifeZeroOps = 0
  for (let life = 0; life < 3; life++) {
    disk.ops = 0
    disk.at = life === 0 ? at : 1 + Math.floor(rnd() * 60)
    let acked: View = view(store.state)
    let inFlight: View | undefined
    for (let step = 0; step < 40 && !disk.dead; step++) {
      for (let i = Math.floor(rnd() * 4); i >= 0; i--) changeAtRandom(store.state, rnd, version)
      // A pushed limit and an ack are each saved on their own; polls may change several things first.
      inFlight = view(store.state)
      try {
        await store.save()
        acked = inFlight
        inFlight = undefined
      } catch (err) {
        if (!(err instanceof Crash)) throw err
      }
      // Let a compaction in the background get on (or be caught mid-way by the next save).
      if (rnd() < 0.3) await nextTurn()
    }
    if (life === 0) lifeZeroOps = disk.ops
    const where = `seed ${seed}, life ${life}: killed at change ${disk.at} (${disk.dead ? 'mid-run' : 'at the end'})`
    // The process is gone: nothing it still had under way reaches the disk.
    disk.dead = true
    await store.close().catch(() => {})
    await countLeftovers(dir)
    disk.dead = false
    disk.at = Number.POSITIVE_INFINITY
    const reopened = await StateStore.open(dir, quiet, options).catch((err: Error) => {
      throw new Error(`${where}: ${err.message}`)
    })
    expect(reopened, where).toBeDefined()
    // The last save that resolved, or the one under way if its record made it whole.
    expect(inFlight ? [acked, inFlight] : [acked], where).toContainEqual(view(reopened!.state))
    store = reopened!
  }
  // Whatever the crashes left, it opens the same twice (nothing half-applied that a reopen changes).
  await store.close()
  const again = await StateStore.open(dir, quiet, options)
  expect(view(again!.state), `seed ${seed}: a second open`).toEqual(view(store.state))
  const files = await readdir(dir)
  expect(
    files.filter((f) => f.endsWith('.log')).length,
    `seed ${seed}: logs left ${files}`,
  ).toBeLessThanOrEqual(2)
  return lifeZeroOps
}

/** A random seed, or CAPD_STATE_CRASH_SEED's to replay a failure (every failure message names its seed). */
function seedFromEnv(): number {
  return Number(process.env.CAPD_STATE_CRASH_SEED ?? Math.floor(Math.random() * 1e9))
}

async function countLeftovers(dir: string): Promise<void> {
  const { logGen } = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { logGen: number }
  const gens = (await readdir(dir)).flatMap((f) => /^state\.(\d+)\.log$/.exec(f)?.[1] ?? []).map(Number)
  if (gens.filter((g) => g >= logGen).length > 1) left.interruptedCompactions++
  if (gens.some((g) => g < logGen)) left.staleLogs++
}

describe('the state store killed at any change to the disk', () => {
  it('opens to the last saved state (or the one being saved), through compactions and restarts', async () => {
    const first = seedFromEnv()
    for (let i = 0; i < 150; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'capd-state-crash-'))
      try {
        // Early changes are the densest in compactions (the first checkpoint is small): crash there often.
        const rnd = seededRandom(first + i).next
        await round(first + i, dir, 1 + Math.floor(rnd() * (rnd() < 0.5 ? 40 : 400)))
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    }
    expect(left.interruptedCompactions, 'crashes between a log switch and the rename').toBeGreaterThan(0)
    expect(left.staleLogs, 'crashes between the rename and deleting the old log').toBeGreaterThan(0)
  }, 120_000)

  it('survives a crash at every change of one run, one after another', async () => {
    const seed = seedFromEnv()
    const dir = await mkdtemp(join(tmpdir(), 'capd-state-crash-'))
    let total: number
    try {
      total = await round(seed, dir, Number.POSITIVE_INFINITY)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    // CAPD_STATE_CRASH_AT replays one crash point of a failure (with its seed).
    const only = Number(process.env.CAPD_STATE_CRASH_AT) || undefined
    for (let at = only ?? 1; at <= (only ?? total); at++) {
      const each = await mkdtemp(join(tmpdir(), 'capd-state-crash-'))
      try {
        await round(seed, each, at).catch((err: Error) => {
          throw new Error(`seed ${seed}, first crash at change ${at}: ${err.message}`)
        })
      } finally {
        await rm(each, { recursive: true, force: true })
      }
    }
  }, 300_000)
})

describe('the state store on a disk that fails now and then', () => {
  // A save that fails (ENOSPC mid-write, a failed fsync) changes nothing on disk that counts, and
  // what it held is written by the next save that succeeds; a compaction that fails is retried.
  it('holds, after every save that resolved, exactly the state that save was given', async () => {
    const first = Math.floor(Math.random() * 1e9)
    let failures = 0
    for (let i = 0; i < 40; i++) {
      const seed = first + i
      const rnd = seededRandom(seed).next
      const dir = await mkdtemp(join(tmpdir(), 'capd-state-fail-'))
      try {
        resetDisk(rnd)
        const options = { minCompactBytes: 400 + Math.floor(rnd() * 2000) }
        let store = await StateStore.create(dir, freshState(), quiet, options)
        const version = { n: 0 }
        for (let step = 0; step < 60; step++) {
          for (let k = Math.floor(rnd() * 3); k >= 0; k--) changeAtRandom(store.state, rnd, version)
          disk.failRate = 0.15
          const saved = await store.save().then(
            () => true,
            (err: unknown) => {
              if (!(err instanceof DiskFull)) throw err
              failures++
              return false
            },
          )
          await store.close().catch(() => {})
          disk.failRate = 0
          if (!saved) continue
          const want = view(store.state)
          // Opening while the disk fails may itself fail; it must not matter for the next try.
          const reopened = await StateStore.open(dir, quiet, options)
          expect(view(reopened!.state), `seed ${seed}, step ${step}`).toEqual(want)
          store = reopened!
        }
      } finally {
        disk.failRate = 0
        await rm(dir, { recursive: true, force: true })
      }
    }
    expect(failures).toBeGreaterThan(0)
  }, 120_000)
})
