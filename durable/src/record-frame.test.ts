import { describe, expect, it } from 'vitest'
import { frameRecord, parseRecords } from './record-frame.js'

const payloads = ['{"a":1}', '{"b":"ünïcode"}', '{"c":[1,2,3]}']
const log = Buffer.from(payloads.map(frameRecord).join(''), 'utf8')
const starts = [0]
for (const p of payloads) starts.push(starts[starts.length - 1]! + Buffer.byteLength(frameRecord(p)))

describe('record frames', () => {
  it('reads back what was framed, with offsets', () => {
    const parsed = parseRecords(log)
    expect(parsed.records.map((r) => r.payload)).toEqual(payloads)
    expect(parsed.records.map((r) => r.offset)).toEqual(starts.slice(0, 3))
    expect(parsed.bad).toBeUndefined()
  })

  it('refuses a payload that is not one line', () => {
    expect(() => frameRecord('{"a":\n1}')).toThrow(/one line/)
  })

  it('calls every prefix of the last record torn', () => {
    for (let end = starts[2]! + 1; end < log.length; end++) {
      const parsed = parseRecords(log.subarray(0, end))
      expect(parsed.goodBytes).toBe(starts[2])
      expect(parsed.bad?.torn, `cut at ${end}`).toBe(true)
    }
  })

  it('calls torn only damage inside the last record; every other changed byte is refused', () => {
    for (let at = 0; at < log.length; at++) {
      for (const xor of [0x01, 0x20, 0x0a ^ log[at]!, 0xff]) {
        if (xor === 0) continue
        const damaged = Buffer.from(log)
        damaged[at] = damaged[at]! ^ xor
        const parsed = parseRecords(damaged)
        const where = `byte ${at} xor ${xor}`
        expect(parsed.bad, where).toBeDefined()
        if (parsed.bad!.torn) {
          expect(at, where).toBeGreaterThanOrEqual(starts[2]!)
          expect(
            parsed.records.map((r) => r.payload),
            where,
          ).toEqual(payloads.slice(0, 2))
        } else {
          expect(parsed.bad!.offset, where).toBeLessThanOrEqual(at)
        }
      }
    }
  })

  it('calls zeros after the last record (a file extended but not written) torn', () => {
    const parsed = parseRecords(Buffer.concat([log, Buffer.alloc(4096)]))
    expect(parsed.records).toHaveLength(3)
    expect(parsed.bad).toMatchObject({ offset: log.length, torn: true })
  })

  // The first append to a new log, extended but none of its data written: nothing but NULs.
  it('calls a file of zeros only (its first append extended but not written) torn', () => {
    for (const size of [1, 158, 311, 4096]) {
      const parsed = parseRecords(Buffer.alloc(size))
      expect(parsed.records, `${size} NULs`).toHaveLength(0)
      expect(parsed.bad, `${size} NULs`).toMatchObject({ offset: 0, torn: true })
      expect(parsed.goodBytes).toBe(0)
    }
  })
})
