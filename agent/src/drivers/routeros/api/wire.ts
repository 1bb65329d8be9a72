/** RouterOS API framing: length-prefixed words, zero-length word ends a sentence; a streaming decoder. */

export class RouterOsProtocolError extends Error {
  override readonly name = 'RouterOsProtocolError'
}

/** The length prefix of a word, big-endian, 1–5 bytes depending on the length. */
export function encodeLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    throw new RangeError(`word length out of range: ${length}`)
  }
  if (length < 0x80) return Buffer.from([length])
  if (length < 0x4000) return Buffer.from([(length >>> 8) | 0x80, length & 0xff])
  if (length < 0x200000) return Buffer.from([(length >>> 16) | 0xc0, (length >>> 8) & 0xff, length & 0xff])
  const out = Buffer.alloc(length < 0x10000000 ? 4 : 5)
  if (out.length === 4) out.writeUInt32BE((length | 0xe0000000) >>> 0)
  else {
    out[0] = 0xf0
    out.writeUInt32BE(length, 1)
  }
  return out
}

/**
 * Reads a length prefix at the start of `bytes`: the length and how many bytes the prefix took, or
 * undefined while the prefix is incomplete. A first byte ≥ 0xF8 is a reserved control byte.
 */
export function decodeLength(bytes: Uint8Array): { length: number; prefixBytes: number } | undefined {
  const first = bytes[0]
  if (first === undefined) return undefined
  let prefixBytes: number
  let length: number
  if (first < 0x80) return { length: first, prefixBytes: 1 }
  if (first < 0xc0) [prefixBytes, length] = [2, first & 0x3f]
  else if (first < 0xe0) [prefixBytes, length] = [3, first & 0x1f]
  else if (first < 0xf0) [prefixBytes, length] = [4, first & 0x0f]
  else if (first < 0xf8) [prefixBytes, length] = [5, 0]
  else throw new RouterOsProtocolError(`reserved control byte 0x${first.toString(16)} in the stream`)
  if (bytes.length < prefixBytes) return undefined
  for (let i = 1; i < prefixBytes; i++) length = length * 256 + bytes[i]!
  return { length, prefixBytes }
}

/** A sentence on the wire: each word UTF-8 with its length prefix, then the zero-length word. */
export function encodeSentence(words: readonly string[]): Buffer {
  const parts: Buffer[] = []
  for (const word of words) {
    const bytes = Buffer.from(word, 'utf8')
    parts.push(encodeLength(bytes.length), bytes)
  }
  parts.push(Buffer.from([0]))
  return Buffer.concat(parts)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * RouterOS stores text in whatever code page the writer used (Winbox: the Windows one). UTF-8 is
 * the common case; bytes that are not valid UTF-8 are read as latin1 so no byte is lost or mangled.
 */
export function decodeWord(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  }
}

export interface SentenceDecoderOptions {
  /** A word longer than this is treated as a broken stream (default 64 MiB). */
  maxWordBytes?: number
}

/**
 * Turns a byte stream, cut anywhere, into sentences. Keeps the received chunks in a list and joins
 * only the bytes of the word being read, so 1-byte chunks cost no more than one big chunk.
 */
export class SentenceDecoder {
  readonly #maxWordBytes: number
  #chunks: Buffer[] = []
  #size = 0
  #words: string[] = []

  constructor({ maxWordBytes = 64 * 1024 * 1024 }: SentenceDecoderOptions = {}) {
    this.#maxWordBytes = maxWordBytes
  }

  /** Feeds bytes; returns the sentences they completed (empty sentences are skipped, as the spec says). */
  push(chunk: Buffer): string[][] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk)
      this.#size += chunk.length
    }
    const sentences: string[][] = []
    for (;;) {
      const prefix = decodeLength(this.#peek(5))
      if (!prefix) break
      if (prefix.length > this.#maxWordBytes) {
        throw new RouterOsProtocolError(`word of ${prefix.length} bytes exceeds ${this.#maxWordBytes}`)
      }
      if (this.#size < prefix.prefixBytes + prefix.length) break
      this.#take(prefix.prefixBytes)
      if (prefix.length === 0) {
        if (this.#words.length > 0) sentences.push(this.#words)
        this.#words = []
      } else {
        this.#words.push(decodeWord(this.#take(prefix.length)))
      }
    }
    return sentences
  }

  /** Bytes buffered but not yet part of a complete sentence (words read so far count too). */
  get incomplete(): boolean {
    return this.#size > 0 || this.#words.length > 0
  }

  /** Up to `n` leading bytes, contiguous. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0]
    if (!first) return Buffer.alloc(0)
    if (first.length >= n || this.#chunks.length === 1) return first.subarray(0, n)
    return this.#join(Math.min(n, this.#size)).subarray(0, n)
  }

  /** Removes and returns the next `n` bytes (the caller checked that they are buffered). */
  #take(n: number): Buffer {
    const joined = this.#join(n)
    const taken = joined.subarray(0, n)
    const rest = joined.subarray(n)
    if (rest.length > 0) this.#chunks[0] = rest
    else this.#chunks.shift()
    this.#size -= n
    return taken
  }

  /** Merges leading chunks until the first one holds at least `n` bytes; returns it. */
  #join(n: number): Buffer {
    let count = 0
    let bytes = 0
    while (bytes < n) bytes += this.#chunks[count++]!.length
    if (count > 1) this.#chunks.splice(0, count, Buffer.concat(this.#chunks.slice(0, count), bytes))
    return this.#chunks[0]!
  }
}
