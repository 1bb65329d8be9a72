import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openLowdbStore, WAL_FILE } from './lowdb-store.js'

const dirs: string[] = []
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'capd-wal-damage-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

const plan = (i: number) => ({
  id: `pln_${i}`,
  name: `p${i}`,
  capBytes: 1000 + i,
  onCap: 'block' as const,
  createdAtMs: 0,
})

/** A write-ahead log of five committed transactions, as a crash leaves it (no snapshot yet). */
async function fiveCommits(): Promise<Buffer> {
  const dir = await tempDir()
  const store = await openLowdbStore(dir, (line) => expect.fail(line))
  for (let i = 1; i <= 5; i++) await store.transact(async (tx) => tx.plans.insert(plan(i)))
  const wal = await readFile(join(dir, WAL_FILE))
  await store.close()
  return wal
}

/** Byte offset where each record (line) starts. */
function recordStarts(bytes: Buffer): number[] {
  const starts = [0]
  for (let i = bytes.indexOf(10); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(10, i + 1))
    starts.push(i + 1)
  return starts
}

async function openDamaged(bytes: Buffer) {
  const dir = await tempDir()
  const path = join(dir, WAL_FILE)
  await writeFile(path, bytes)
  const lines: string[] = []
  const opened = await openLowdbStore(dir, (line) => lines.push(line)).catch((err: Error) => err)
  if (opened instanceof Error) return { path, lines, error: opened, after: await readFile(path) }
  const plans = await opened.transact((tx) => tx.plans.list())
  await opened.close()
  return { path, lines, plans }
}

describe('a damaged write-ahead log', () => {
  it('cuts a torn last record and says where', async () => {
    const wal = await fiveCommits()
    const starts = recordStarts(wal)
    const torn = wal.subarray(0, starts[4]! + 17)
    const { path, lines, plans } = await openDamaged(torn)
    expect(plans?.map((p) => p.id)).toEqual(['pln_1', 'pln_2', 'pln_3', 'pln_4'])
    expect(lines.join('\n')).toContain(path)
    expect(lines.join('\n')).toContain(`offset ${starts[4]}`)
  })

  it.each([
    ['breaks the JSON', (s: string) => s.replace('"name"', '"na\u0000e"')],
    ['keeps it valid JSON (a digit flipped)', (s: string) => s.replace('"capBytes":1002', '"capBytes":9002')],
  ])(
    'refuses to start on a middle record that %s, naming file and offset, file unchanged',
    async (_, damage) => {
      const wal = await fiveCommits()
      const starts = recordStarts(wal)
      const text = wal.toString('latin1')
      const second = text.slice(starts[1], starts[2])
      const damaged = Buffer.from(text.slice(0, starts[1]) + damage(second) + text.slice(starts[2]), 'latin1')
      expect(damaged.equals(wal)).toBe(false)
      const { path, error, after } = await openDamaged(damaged)
      expect(error?.message).toContain(path)
      expect(error?.message).toMatch(new RegExp(`offset ${starts[1]}\\b`))
      expect(after?.equals(damaged)).toBe(true)
    },
  )

  it('never accepts a flipped byte as different content (random offsets)', async () => {
    const wal = await fiveCommits()
    const starts = recordStarts(wal)
    const all = [1, 2, 3, 4, 5].map((i) => `pln_${i}`)
    for (let round = 0; round < 150; round++) {
      const at = Math.floor(Math.random() * wal.length)
      const damaged = Buffer.from(wal)
      damaged[at] = damaged[at]! ^ (1 + Math.floor(Math.random() * 255))
      const { lines, plans, error, after, path } = await openDamaged(damaged)
      const where = `byte ${at} of ${wal.length}`
      if (error) {
        expect(error.message, where).toContain(path)
        expect(after?.equals(damaged), where).toBe(true)
        continue
      }
      const ids = plans!.map((p) => p.id)
      if (ids.length === 5) {
        expect.fail(`${where}: a damaged log was accepted whole`)
      }
      // Only the final record may go, as a torn append, and only with a message.
      expect(at, where).toBeGreaterThanOrEqual(starts[4]!)
      expect(ids, where).toEqual(all.slice(0, 4))
      expect(
        plans!.map((p) => p.capBytes),
        where,
      ).toEqual([1001, 1002, 1003, 1004])
      expect(lines.length, where).toBeGreaterThan(0)
    }
  })
})
