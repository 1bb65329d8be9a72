import { appendFile, mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RecordBuffer } from '@capd/durable'
import { describe, expect, it } from 'vitest'
import { applyOps, WalFile } from './wal-file.js'

const quiet = () => {}

async function walPath() {
  return join(await mkdtemp(join(tmpdir(), 'capd-wal-')), 'capd.wal')
}

const line = (v: number) =>
  `${JSON.stringify({ v, ops: [{ o: 's', t: 'plans', k: `p${v}`, v: { id: `p${v}` } }] })}\n`

/** The records of these versions, framed as the store hands them to append. */
function framed(...versions: number[]): Uint8Array {
  const out = new RecordBuffer()
  for (const v of versions) {
    out.begin()
    out.write(line(v).trimEnd())
    out.finish()
  }
  return out.framed()
}

describe('write-ahead log', () => {
  it('returns what was appended, in order, after reopening', async () => {
    const path = await walPath()
    const { wal } = await WalFile.open(path, quiet)
    await wal.append(framed(1, 2))
    await wal.append(framed(3))
    const { records, tornBytes, wal: again } = await WalFile.open(path, quiet)
    expect(records.map((r) => r.v)).toEqual([1, 2, 3])
    expect(tornBytes).toBe(0)
    // Each record is framed with its length and checksum.
    expect(again.size).toBeGreaterThan(Buffer.byteLength(line(1) + line(2) + line(3)))
  })

  it('cuts a torn last line, keeps the rest, and appends after it', async () => {
    const path = await walPath()
    const { wal } = await WalFile.open(path, quiet)
    await wal.append(framed(1))
    await appendFile(path, line(2).slice(0, 20))
    const said: string[] = []
    const reopened = await WalFile.open(path, (l) => said.push(l))
    expect(reopened.records.map((r) => r.v)).toEqual([1])
    expect(reopened.tornBytes).toBe(20)
    expect(said).toHaveLength(1)
    await reopened.wal.append(framed(2))
    expect((await WalFile.open(path, quiet)).records.map((r) => r.v)).toEqual([1, 2])
  })

  it('is cut to the records a snapshot does not hold, or emptied when it holds them all', async () => {
    const path = await walPath()
    const { wal } = await WalFile.open(path, quiet)
    await wal.append(framed(1, 2))
    const held = wal.size
    await wal.append(framed(3))
    await wal.keepFrom(held)
    expect((await WalFile.open(path, quiet)).records.map((r) => r.v)).toEqual([3])
    expect(wal.size).toBe((await stat(path)).size)
    await wal.append(framed(4))
    expect((await WalFile.open(path, quiet)).records.map((r) => r.v)).toEqual([3, 4])
    await wal.keepFrom(0)
    expect((await WalFile.open(path, quiet)).records.map((r) => r.v)).toEqual([3, 4])
    await wal.keepFrom(wal.size)
    expect(wal.size).toBe(0)
    expect((await WalFile.open(path, quiet)).records).toEqual([])
  })

  it('replays set, delete and push onto a document', () => {
    const doc = { plans: { a: 1, b: 2 } as Record<string, unknown>, audit: [] as unknown[] }
    applyOps(doc, [
      { o: 's', t: 'plans', k: 'c', v: 3 },
      { o: 'd', t: 'plans', k: 'a' },
      { o: 'p', t: 'audit', v: 'x' },
    ])
    expect(doc).toEqual({ plans: { b: 2, c: 3 }, audit: ['x'] })
    expect(() => applyOps(doc, [{ o: 's', t: 'nope', k: 'a', v: 1 }])).toThrow(/unknown part "nope"/)
  })
})
