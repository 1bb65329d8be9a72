import { describe, expect, it } from 'vitest'
import {
  decodeLength,
  decodeWord,
  encodeLength,
  encodeSentence,
  RouterOsProtocolError,
  SentenceDecoder,
} from './wire.js'

/** The MikroTik spec's table at each boundary, bytes written out by hand. */
const VECTORS: [number, number[]][] = [
  [0, [0x00]],
  [0x7f, [0x7f]],
  [0x80, [0x80, 0x80]],
  [0x3fff, [0xbf, 0xff]],
  [0x4000, [0xc0, 0x40, 0x00]],
  [0x1fffff, [0xdf, 0xff, 0xff]],
  [0x200000, [0xe0, 0x20, 0x00, 0x00]],
  [0xfffffff, [0xef, 0xff, 0xff, 0xff]],
  [0x10000000, [0xf0, 0x10, 0x00, 0x00, 0x00]],
  [0xffffffff, [0xf0, 0xff, 0xff, 0xff, 0xff]],
]

describe('word length prefix', () => {
  it.each(VECTORS)('encodes %i as the spec says', (length, bytes) => {
    expect([...encodeLength(length)]).toEqual(bytes)
  })

  it.each(VECTORS)('decodes the prefix of %i', (length, bytes) => {
    expect(decodeLength(Uint8Array.from(bytes))).toEqual({ length, prefixBytes: bytes.length })
  })

  it('waits for the rest of a prefix cut short', () => {
    for (const [, bytes] of VECTORS) {
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(decodeLength(Uint8Array.from(bytes.slice(0, cut)))).toBeUndefined()
      }
    }
  })

  it('refuses the reserved control bytes and impossible lengths', () => {
    for (const first of [0xf8, 0xfc, 0xff]) {
      expect(() => decodeLength(Uint8Array.from([first, 0, 0, 0, 0]))).toThrow(RouterOsProtocolError)
    }
    expect(() => encodeLength(-1)).toThrow(RangeError)
    expect(() => encodeLength(2 ** 32)).toThrow(RangeError)
  })
})

describe('sentences', () => {
  it('encodes words with their prefixes and ends with a zero-length word', () => {
    const bytes = encodeSentence(['/login', '=name=ü'])
    expect([...bytes]).toEqual([6, ...Buffer.from('/login'), 8, ...Buffer.from('=name=ü'), 0])
  })

  const replies = [
    ['!re', '=.id=*1', `=comment=${'x'.repeat(0x4000)}`, '.tag=7'],
    ['!empty', '.tag=8'],
    ['!done', '.tag=7'],
    ['!fatal', 'session terminated on request'],
  ]
  const stream = Buffer.concat(replies.map((words) => encodeSentence(words)))

  it('decodes a stream delivered whole', () => {
    expect(new SentenceDecoder().push(stream)).toEqual(replies)
  })

  it('decodes the same stream delivered one byte at a time', () => {
    const decoder = new SentenceDecoder()
    const out: string[][] = []
    for (const byte of stream) out.push(...decoder.push(Buffer.from([byte])))
    expect(out).toEqual(replies)
    expect(decoder.incomplete).toBe(false)
  })

  it('decodes the stream cut at every possible point', () => {
    for (let cut = 1; cut < stream.length; cut += 97) {
      const decoder = new SentenceDecoder()
      const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))]
      expect(out).toEqual(replies)
    }
  })

  it('holds a partial sentence until its last word arrives', () => {
    const decoder = new SentenceDecoder()
    const bytes = encodeSentence(['!done', '=ret=*1'])
    expect(decoder.push(bytes.subarray(0, bytes.length - 1))).toEqual([])
    expect(decoder.incomplete).toBe(true)
    expect(decoder.push(bytes.subarray(bytes.length - 1))).toEqual([['!done', '=ret=*1']])
  })

  it('skips empty sentences', () => {
    expect(new SentenceDecoder().push(Buffer.from([0, 0, ...encodeSentence(['!done'])]))).toEqual([['!done']])
  })

  it('treats a word over the limit as a broken stream', () => {
    const decoder = new SentenceDecoder({ maxWordBytes: 100 })
    expect(() => decoder.push(encodeLength(101))).toThrow(RouterOsProtocolError)
  })
})

describe('word text', () => {
  it('reads UTF-8', () => {
    expect(decodeWord(Buffer.from('=comment=Zürich ✓'))).toBe('=comment=Zürich ✓')
  })

  it('reads bytes that are not UTF-8 as latin1 rather than replacing them', () => {
    expect(decodeWord(Uint8Array.from([0x3d, 0x5a, 0xfc, 0x72]))).toBe('=Zür')
  })
})
