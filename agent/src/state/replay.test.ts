import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshState, loadCheckpoint, saveCheckpoint } from './checkpoint.js'
import type { JournalRecord } from './journal.js'
import { noteCreated, replay } from './replay.js'

const baseline = (counterId: string) => ({ counterId, bootId: 'b', down: 5n, up: 1n, atMs: 10 })
const entry = (n: number, counterId: string): JournalRecord => ({
  n,
  seq: n,
  subscriberId: 'a',
  periodStart: '2026-11-01T00:00:00.000Z',
  down: 100,
  up: 10,
  atMs: 2000,
  counter: { id: counterId, boot: 'b', down: '100', up: '10', atMs: 2000 },
})

describe('the record of created counters', () => {
  it('names the counter a creation replaces and keeps its first time for the same one', () => {
    const state = freshState()
    noteCreated(state, ['a', 'b'], 1000)
    state.baselines.set('b', baseline('c1'))
    noteCreated(state, ['a', 'b'], 2000)
    expect(Object.fromEntries(state.created)).toEqual({
      a: { atMs: 1000 },
      b: { atMs: 2000, replaces: 'c1' },
    })
  })

  it('is dropped by a replayed entry of another counter than the replaced one, and only then', () => {
    const state = freshState()
    state.baselines.set('a', baseline('c1'))
    noteCreated(state, ['a'], 1000)
    replay(state, [entry(1, 'c1')])
    expect(state.created.get('a')).toEqual({ atMs: 1000, replaces: 'c1' })
    replay(state, [entry(2, 'c2')])
    expect(state.created.has('a')).toBe(false)
    expect(state.baselines.get('a')?.counterId).toBe('c2')
  })
})

describe('checkpoint', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-checkpoint-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps the record of created counters across a restart', async () => {
    const state = freshState()
    state.baselines.set('b', baseline('c1'))
    noteCreated(state, ['a', 'b'], 1000)
    await saveCheckpoint(join(dir, 'state.json'), state)
    const loaded = await loadCheckpoint(join(dir, 'state.json'))
    expect(loaded?.created).toEqual(state.created)
    expect(loaded?.baselines).toEqual(state.baselines)
  })

  it('reads a state file written before the record existed as one with nothing created', async () => {
    const old = { epoch: 'e1', appliedSeq: 3, ackedSeq: 2, baselines: {}, books: {} }
    await writeFile(join(dir, 'state.json'), JSON.stringify(old))
    const loaded = await loadCheckpoint(join(dir, 'state.json'))
    expect(loaded?.created).toEqual(new Map())
    expect(loaded?.appliedSeq).toBe(3)
  })
})
