import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { frameRecord, parseRecords } from './record-frame.js'

const rng = (seed: number) => seededRandom(seed).next

function payload(random: () => number, i: number): string {
  return JSON.stringify({ i, pad: 'x'.repeat(Math.floor(random() * 300)), u: 'é' })
}

describe('a crash in the middle of a group commit', () => {
  // Several records go to the file in one write. A crash can leave any prefix of that write, and on
  // file systems that extend the size before the data is written, NUL bytes after that prefix up to
  // some point of the write (never past its end). None of it was acknowledged: it is a torn tail.
  it('calls a prefix of the last append followed by NUL fill torn, and keeps every earlier append', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = rng(seed)
      const appends: string[][] = []
      let i = 0
      // Sometimes none: the torn append is the file's first.
      for (let a = 0; a < Math.floor(random() * 5); a++) {
        appends.push(Array.from({ length: 1 + Math.floor(random() * 5) }, () => payload(random, i++)))
      }
      const last = Array.from({ length: 2 + Math.floor(random() * 6) }, () => payload(random, i++))
      const durable = Buffer.from(appends.flat().map(frameRecord).join(''), 'utf8')
      const write = Buffer.from(last.map(frameRecord).join(''), 'utf8')
      const written = Math.floor(random() * write.length)
      const size = written + Math.floor(random() * (write.length - written + 1))
      const tail = Buffer.concat([write.subarray(0, written), Buffer.alloc(size - written)])
      const parsed = parseRecords(Buffer.concat([durable, tail]))
      const where = `seed ${seed}: ${written} of ${write.length} bytes written, size ${size}`
      const payloads = parsed.records.map((r) => r.payload)
      expect(payloads.slice(0, appends.flat().length), where).toEqual(appends.flat())
      expect(payloads.slice(appends.flat().length), where).toEqual(
        last.slice(0, payloads.length - appends.flat().length),
      )
      if (parsed.bad) expect(parsed.bad.torn, `${where}: ${parsed.bad.reason}`).toBe(true)
    }
  })

  it('still refuses a record damaged before the last append, whatever NUL fill follows', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed)
      const records = Array.from({ length: 3 + Math.floor(random() * 4) }, (_, i) => payload(random, i))
      const bytes = Buffer.from(records.map(frameRecord).join(''), 'utf8')
      const lastStart = bytes.length - Buffer.byteLength(frameRecord(records[records.length - 1]!))
      const at = Math.floor(random() * lastStart)
      bytes[at] = bytes[at]! ^ (1 + Math.floor(random() * 255))
      const fill = Buffer.alloc(Math.floor(random() * 3) * 512)
      const parsed = parseRecords(Buffer.concat([bytes, fill]))
      expect(parsed.bad?.torn, `seed ${seed}: byte ${at} changed, ${fill.length} NULs after`).toBe(false)
    }
  })
})

describe('damage in the last record', () => {
  // A crash leaves a prefix of what was written (then, at most, NUL fill): it can end with a newline
  // only where a whole record ends, and that record reads back. A last record whose newline is the
  // file's last byte, with no NUL in it, and which still does not read back, was written whole and
  // changed since: cutting it as torn would silently drop an acknowledged record.
  it('is refused when the record is whole (its newline the last byte) and holds no NUL', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed)
      const records = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => payload(random, i))
      const bytes = Buffer.from(records.map(frameRecord).join(''), 'utf8')
      const lastStart = bytes.length - Buffer.byteLength(frameRecord(records[records.length - 1]!))
      const at = lastStart + Math.floor(random() * (bytes.length - 1 - lastStart))
      let changed = bytes[at]! ^ (1 + Math.floor(random() * 255))
      if (changed === 0) changed = 0x20
      if (changed === bytes[at]) continue
      bytes[at] = changed
      const parsed = parseRecords(bytes)
      const where = `seed ${seed}: byte ${at} (last record from ${lastStart}) now ${changed}`
      expect(parsed.bad, where).toMatchObject({ offset: lastStart, torn: false })
      expect(parsed.records, where).toHaveLength(records.length - 1)
    }
  })
})
