import { readFileSync } from 'node:fs'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { ListingItemSplitter } from './listing-items.js'
import { type InstalledTable, ListingParser, parseListing } from './nft-json.js'

const LISTING = readFileSync(new URL('./fixtures/list-table.json', import.meta.url), 'utf8')

/** The runs of a listing whose pieces are all here. */
function* listingItemRuns(chunks: readonly Buffer[], runBytes?: number): Generator<string> {
  const splitter = new ListingItemSplitter(runBytes)
  for (const chunk of chunks) yield* splitter.push(chunk)
  yield* splitter.end()
}

/** The table of a listing whose pieces are all here, built a run at a time. */
function parseListingInSlices(
  chunks: readonly Buffer[],
  table: string,
  breathe: () => Promise<void>,
): Promise<InstalledTable> {
  const parser = new ListingParser(table, breathe)
  for (const chunk of chunks) parser.push(chunk)
  parser.end()
  return parser.table
}

/** A random JSON value with strings full of the characters the splitter must not count. */
function value(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 3 : 6))
  const text = () =>
    Array.from({ length: Math.floor(random() * 8) }, () => '{}[],:"\\ aé\n'[Math.floor(random() * 13)]).join(
      '',
    )
  if (pick === 0) return text()
  if (pick === 1) return Math.floor(random() * 1e6)
  if (pick === 2) return random() < 0.5 ? null : random() < 0.5
  if (pick === 3) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth + 1))
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`${text()}${i}`, value(random, depth + 1)]),
  )
}

/** The bytes cut where a pipe might cut them: anywhere, inside a character too. */
function pieces(bytes: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * (random() < 0.2 ? 4 : 300))
    out.push(bytes.subarray(at, at + size))
    at += size
  }
  return out
}

const items = (random: () => number) =>
  Array.from({ length: Math.floor(random() * 60) }, () => ({
    [`k${Math.floor(random() * 5)}`]: value(random, 1),
  }))

describe('listingItemRuns', () => {
  it('gives back every item in order, in runs of whole items, whatever the strings hold', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed).next
      const want = items(random)
      // nft's own spacing, or none at all.
      const text =
        random() < 0.5 ? JSON.stringify({ nftables: want }) : JSON.stringify({ nftables: want }, null, 1)
      const chunk = 1 + Math.floor(random() * 400)
      const runs = [...listingItemRuns(pieces(Buffer.from(text), random), chunk)].map(
        (run) => JSON.parse(run) as unknown[],
      )
      expect(runs.flat(), `seed ${seed}`).toEqual(want)
      if (want.length > 0) expect(runs.length, `seed ${seed}`).toBeGreaterThan(0)
    }
  })

  it('refuses a listing cut short anywhere, rather than giving back part of it', () => {
    const text = JSON.stringify({
      nftables: items(seededRandom(7).next).concat([{ counter: { name: 'x' } }]),
    })
    const start = text.indexOf('[') + 1
    for (let end = start; end < text.length - 1; end += 7) {
      expect(() => [...listingItemRuns([Buffer.from(text.slice(0, end))], 50)], `cut at ${end}`).toThrow(
        SyntaxError,
      )
    }
    for (const other of ['{"other": []}', '{"x": 1, "nftables": []}', '{"nftables": {}}', ''])
      expect(() => [...listingItemRuns([Buffer.from(other)])], other).toThrow(SyntaxError)
  })

  it('builds the same table a slice at a time as at once, letting the loop turn between slices', async () => {
    let turns = 0
    const sliced = await parseListingInSlices(
      pieces(Buffer.from(LISTING), seededRandom(3).next),
      'capd',
      async () => {
        turns++
      },
    )
    expect(sliced).toEqual(parseListing(LISTING, 'capd'))
    expect(turns).toBeGreaterThan(0)
  })

  it('builds the same table while the listing still comes, piece by piece with the loop turning between', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed).next
      let turns = 0
      const parser = new ListingParser('capd', async () => {
        turns++
        await new Promise((resolve) => setImmediate(resolve))
      })
      for (const piece of pieces(Buffer.from(LISTING), random)) {
        parser.push(piece)
        // Sometimes the parser catches up and waits for the next piece.
        if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve))
      }
      parser.end()
      expect(await parser.table, `seed ${seed}`).toEqual(parseListing(LISTING, 'capd'))
      expect(turns).toBeGreaterThan(0)
    }
  })

  it('rejects a listing cut short or not a listing, and one abandoned, and never throws on a piece', async () => {
    const cut = new ListingParser('capd', async () => {})
    cut.push(Buffer.from(LISTING.slice(0, LISTING.length / 2)))
    cut.end()
    await expect(cut.table).rejects.toThrow(/cut short/)

    const other = new ListingParser('capd', async () => {})
    other.push(Buffer.from('{"other": [1, 2]}'))
    other.end()
    await expect(other.table).rejects.toThrow(/no "nftables" array/)

    const broken = new ListingParser('capd', async () => {})
    broken.push(Buffer.from('{"nftables": [{"counter": nope}]}'))
    broken.end()
    await expect(broken.table).rejects.toThrow(SyntaxError)

    const abandoned = new ListingParser('capd', async () => {})
    abandoned.push(Buffer.from(LISTING.slice(0, 100)))
    await new Promise((resolve) => setImmediate(resolve))
    abandoned.abandon()
    await expect(abandoned.table).rejects.toThrow(/abandoned/)
  })
})
