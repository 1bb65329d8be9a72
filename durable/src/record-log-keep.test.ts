/** A log cut to its records from an offset on: exactly those, copied a slice at a time, appended to after. */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RecordLog } from './record-log.js'

const record = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(1000 + (i % 97)) })

describe('keeping a log from an offset', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-record-log-keep-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('keeps exactly the records from there, over several copy slices, and appends after them', async () => {
    const path = join(dir, 'wal.log')
    const { log } = await RecordLog.open(path, 'test log', () => {})
    await log.append(Array.from({ length: 1500 }, (_, i) => record(i)))
    const offset = log.size
    // About 3 MB kept: more than one slice of the copy, and not a whole number of slices.
    await log.append(Array.from({ length: 3000 }, (_, i) => record(1500 + i)))
    await log.keepFrom(offset)
    expect(log.size).toBe((await stat(path)).size)
    await log.append([record(4500)])
    const reopened = await RecordLog.open<{ i: number }>(path, 'test log', () => {})
    expect(reopened.tornBytes).toBe(0)
    expect(reopened.records.map((r) => r.i)).toEqual(Array.from({ length: 3001 }, (_, i) => 1500 + i))
    expect(await readdir(dir)).toEqual(['wal.log'])
  })

  it('keeps everything from 0 and nothing from its end', async () => {
    const path = join(dir, 'wal.log')
    const { log } = await RecordLog.open(path, 'test log', () => {})
    await log.append([record(1), record(2)])
    await log.keepFrom(0)
    expect((await RecordLog.open<{ i: number }>(path, 'test log', () => {})).records.map((r) => r.i)).toEqual(
      [1, 2],
    )
    await log.keepFrom(log.size)
    expect(log.size).toBe(0)
    expect((await stat(path)).size).toBe(0)
  })
})
