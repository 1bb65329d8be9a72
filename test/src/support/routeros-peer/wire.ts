/**
 * The peer's own RouterOS API framing, written apart from the agent's client on purpose: if both
 * sides shared one codec, a framing bug would agree with itself and no test would see it.
 */

/** The length prefix per the MikroTik spec table, computed with arithmetic rather than bit masks. */
export function lengthPrefix(length: number): number[] {
  const bytesOf = (value: number, count: number) =>
    Array.from({ length: count }, (_, i) => Math.floor(value / 256 ** (count - 1 - i)) % 256)
  if (length <= 0x7f) return [length]
  if (length <= 0x3fff) return bytesOf(length + 0x8000, 2)
  if (length <= 0x1fffff) return bytesOf(length + 0xc00000, 3)
  if (length <= 0xfffffff) return bytesOf(length + 0xe0000000, 4)
  return [0xf0, ...bytesOf(length, 4)]
}

export function encodeWords(words: readonly string[]): Buffer {
  const parts: Buffer[] = []
  for (const word of words) {
    const body = Buffer.from(word, 'utf8')
    parts.push(Buffer.from(lengthPrefix(body.length)), body)
  }
  parts.push(Buffer.from([0]))
  return Buffer.concat(parts)
}

/** Accumulates bytes and yields complete sentences; the peer only ever reads what a client sends. */
export class WordReader {
  #buffer: Buffer = Buffer.alloc(0)
  #words: string[] = []

  feed(chunk: Buffer): string[][] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    const sentences: string[][] = []
    let offset = 0
    for (;;) {
      const header = this.#readLength(offset)
      if (!header) break
      const [length, start] = header
      if (start + length > this.#buffer.length) break
      offset = start + length
      if (length === 0) {
        if (this.#words.length > 0) sentences.push(this.#words)
        this.#words = []
      } else {
        this.#words.push(this.#buffer.toString('utf8', start, start + length))
      }
    }
    this.#buffer = this.#buffer.subarray(offset)
    return sentences
  }

  /** [length, offset of the word's first byte] or undefined while the prefix is incomplete. */
  #readLength(offset: number): [number, number] | undefined {
    const b = this.#buffer
    const first = b[offset]
    if (first === undefined) return undefined
    const size =
      first < 0x80 ? 1 : first < 0xc0 ? 2 : first < 0xe0 ? 3 : first < 0xf0 ? 4 : first === 0xf0 ? 5 : 0
    if (size === 0) throw new Error(`control byte 0x${first.toString(16)} from the client`)
    if (offset + size > b.length) return undefined
    if (size === 5) return [b.readUInt32BE(offset + 1), offset + 5]
    const masks = [0, 0x7f, 0x3fff, 0x1fffff, 0xfffffff]
    return [b.readUIntBE(offset, size) & masks[size]!, offset + size]
  }
}
