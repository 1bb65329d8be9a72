import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Journal, type NewDelta } from './journal.js'

const fromStart = { ackedSeq: 0, appliedSeq: 0 }

/** The delta that becomes entry `seq` (each for another subscriber, so none joins another). */
const entry = (seq: number): NewDelta => ({
  subscriberId: `sub_${seq}`,
  periodStart: '2026-03-01T00:00:00.000Z',
  down: seq * 1000 + 123,
  up: seq,
  atMs: 1000 + seq,
  counter: { id: 'c1', boot: 'b1', down: String(seq * 100), up: String(seq), atMs: 1000 + seq },
})

/** A journal of five entries as it is on disk. */
async function fiveEntries(): Promise<Buffer> {
  const path = join(await mkdtemp(join(tmpdir(), 'capd-journal-damage-')), 'journal.log')
  const { journal } = await Journal.open(path, () => {}, fromStart)
  await journal.append([entry(1), entry(2), entry(3)])
  await journal.append([entry(4), entry(5)])
  return readFile(path)
}

function recordStarts(bytes: Buffer): number[] {
  const starts = [0]
  for (let i = bytes.indexOf(10); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(10, i + 1))
    starts.push(i + 1)
  return starts
}

async function openDamaged(bytes: Buffer) {
  const path = join(await mkdtemp(join(tmpdir(), 'capd-journal-damage-')), 'journal.log')
  await writeFile(path, bytes)
  const lines: string[] = []
  try {
    const { records } = await Journal.open(path, (line) => lines.push(line), fromStart)
    return { path, lines, entries: records.map((e) => ({ seq: e.seq, down: e.down })) }
  } catch (err) {
    return { path, lines, error: err as Error, after: await readFile(path) }
  }
}

describe('a damaged journal', () => {
  it('cuts a torn last entry and says where', async () => {
    const bytes = await fiveEntries()
    const starts = recordStarts(bytes)
    const { path, lines, entries } = await openDamaged(bytes.subarray(0, bytes.length - 9))
    expect(entries?.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(lines.join('\n')).toContain(path)
    expect(lines.join('\n')).toContain(`offset ${starts[4]}`)
  })

  it.each([
    ['breaks the JSON', (s: string) => s.replace('"subscriberId"', '"subscriberId\u0000')],
    ['keeps it valid JSON (a digit flipped)', (s: string) => s.replace('"down":3123', '"down":8123')],
  ])('refuses to open when a middle entry %s, naming file and offset, file unchanged', async (_, damage) => {
    const bytes = await fiveEntries()
    const starts = recordStarts(bytes)
    const text = bytes.toString('latin1')
    const damaged = Buffer.from(
      text.slice(0, starts[2]) + damage(text.slice(starts[2], starts[3])) + text.slice(starts[3]),
      'latin1',
    )
    expect(damaged.equals(bytes)).toBe(false)
    const { path, error, after } = await openDamaged(damaged)
    expect(error?.message).toContain(path)
    expect(error?.message).toMatch(new RegExp(`offset ${starts[2]}\\b`))
    expect(after?.equals(damaged)).toBe(true)
  })

  it('never accepts a flipped byte as different content (random offsets)', async () => {
    const bytes = await fiveEntries()
    const starts = recordStarts(bytes)
    const all = [1, 2, 3, 4, 5].map((seq) => ({ seq, down: entry(seq).down }))
    for (let round = 0; round < 400; round++) {
      const at = Math.floor(Math.random() * bytes.length)
      const damaged = Buffer.from(bytes)
      damaged[at] = damaged[at]! ^ (1 + Math.floor(Math.random() * 255))
      const { lines, entries, error, after, path } = await openDamaged(damaged)
      const where = `byte ${at} of ${bytes.length}`
      if (error) {
        expect(error.message, where).toContain(path)
        expect(after?.equals(damaged), where).toBe(true)
        continue
      }
      if (entries!.length === 5) expect.fail(`${where}: a damaged journal was accepted whole`)
      expect(at, where).toBeGreaterThanOrEqual(starts[4]!)
      expect(entries, where).toEqual(all.slice(0, 4))
      expect(lines.length, where).toBeGreaterThan(0)
    }
  })
})
