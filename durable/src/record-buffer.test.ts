import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { RecordBuffer } from './record-buffer.js'
import { frameRecord, parseRecords } from './record-frame.js'

/**
 * Text with what UTF-8 makes longer than one byte: accents, a 3-byte sign, an emoji (a surrogate
 * pair), and lone surrogates (written as U+FFFD by both), never at a piece's edge, where two
 * pieces would join them into a pair (see RecordBuffer.write).
 */
const ALPHABET = ['a', '"', '\\', '{', '}', ',', 'é', '€', '😀', '\uD800a', 'a\uDC00', ' ', '0']

function randomPieces(random: ReturnType<typeof seededRandom>): string[] {
  const pieces: string[] = []
  for (let n = random.int(0, 6); n > 0; n--) {
    let piece = ''
    // Now and then a piece longer than the buffer's first size, so it has to grow mid-record.
    for (let len = random.int(0, random.next() < 0.05 ? 3000 : 40); len > 0; len--)
      piece += ALPHABET[random.int(0, ALPHABET.length - 1)]
    pieces.push(piece)
  }
  return pieces
}

describe('record buffer', () => {
  it('frames each record exactly as frameRecord frames its joined payload (random pieces, from a small buffer)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed)
      const out = new RecordBuffer(seed % 4 === 0 ? 0 : 16)
      const payloads: string[] = []
      for (let r = random.int(1, 30); r > 0; r--) {
        const pieces = randomPieces(random)
        out.begin()
        for (const piece of pieces) out.write(piece)
        out.finish()
        payloads.push(pieces.join(''))
      }
      const framed = Buffer.from(out.framed())
      expect(framed.equals(Buffer.from(payloads.map(frameRecord).join(''))), `seed ${seed}`).toBe(true)
      const parsed = parseRecords(framed)
      expect(parsed.bad).toBeUndefined()
      // A lone surrogate reads back as the U+FFFD it was written as.
      expect(parsed.records.map((record) => record.payload)).toEqual(
        payloads.map((payload) => Buffer.from(payload).toString()),
      )
    }
  })

  it('leaves out an open record, and drops it whole on abort or on a newline', () => {
    const out = new RecordBuffer(16)
    out.begin()
    out.write('{"kept":1}')
    out.finish()
    const kept = Buffer.from(out.framed())
    out.begin()
    out.write('{"open":')
    expect(Buffer.from(out.framed()).equals(kept)).toBe(true)
    out.abort()
    expect(Buffer.from(out.framed()).equals(kept)).toBe(true)
    out.begin()
    out.write('{"a":')
    expect(() => out.write('1\n}')).toThrow(/one line/)
    expect(Buffer.from(out.framed()).equals(kept)).toBe(true)
    expect(() => out.write('x')).toThrow(/no record is open/)
    out.begin()
    expect(() => out.begin()).toThrow(/already open/)
  })

  it('is empty after clear and frames again from the start, in the memory it grew to', () => {
    const out = new RecordBuffer(16)
    out.begin()
    out.write('x'.repeat(1000))
    out.finish()
    const grown = out.capacity
    expect(grown).toBeGreaterThanOrEqual(1000)
    out.clear()
    expect(out.size).toBe(0)
    out.begin()
    out.write('{"b":2}')
    out.finish()
    expect(out.capacity).toBe(grown)
    expect(Buffer.from(out.framed()).toString()).toBe(frameRecord('{"b":2}'))
  })
})
