/**
 * Framed records (record-frame.ts) written straight into one growing byte buffer, a piece of
 * payload at a time. A store transaction that changes 1,000 subscribers logs megabytes; as one
 * string, then its bytes, then the framed line, then the joined batch, each was a large object
 * that only a full collection frees, and at 100k subscribers those collections, marking the whole
 * heap on the event loop, were its longest stalls. Here a record's pieces are small strings that
 * die young, and the buffer is kept and reused (see clear).
 */
import { MAX_LENGTH_DIGITS, NEWLINE, recordHeader } from './record-frame.js'

/** Room left before a payload for its header, `<length> <crc32> `, which is written once it is known. */
const HEADER_ROOM = MAX_LENGTH_DIGITS + 10

export class RecordBuffer {
  private bytes: Buffer
  private end = 0
  /** Where the open record's header room starts; undefined while none is open. */
  private openAt: number | undefined

  constructor(capacity = 1 << 16) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(1, capacity))
  }

  /** Bytes of whole records held. */
  get size(): number {
    return this.openAt ?? this.end
  }

  /** Bytes it can hold before it grows. */
  get capacity(): number {
    return this.bytes.length
  }

  /** Opens a record; `write` its payload, then `finish` (or `abort`) it. */
  begin(): void {
    if (this.openAt !== undefined) throw new Error('a record is already open')
    this.reserve(HEADER_ROOM)
    this.openAt = this.end
    this.end += HEADER_ROOM
  }

  /**
   * Adds `text` to the open record's payload. A newline is refused and the record dropped. Each
   * piece is encoded on its own: split a surrogate pair across two and it is written as two U+FFFD
   * (JSON.stringify's output, the store's pieces, is always whole).
   */
  write(text: string): void {
    if (this.openAt === undefined) throw new Error('no record is open')
    if (text.includes('\n')) {
      this.abort()
      throw new TypeError('a log record must be one line')
    }
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
    this.reserve(text.length * 3)
    this.end += this.bytes.write(text, this.end, 'utf8')
  }

  /** Frames the open record: its header goes in front and the payload moves up to meet it. */
  finish(): void {
    const at = this.openAt
    if (at === undefined) throw new Error('no record is open')
    this.reserve(1) // the newline
    const payloadAt = at + HEADER_ROOM
    const length = this.end - payloadAt
    const header = recordHeader(this.bytes.subarray(payloadAt, this.end))
    this.bytes.copyWithin(at + header.length, payloadAt, this.end)
    this.bytes.write(header, at, 'latin1')
    this.end = at + header.length + length
    this.bytes[this.end++] = NEWLINE
    this.openAt = undefined
  }

  /** Drops the open record, if any: what was finished before stays. */
  abort(): void {
    if (this.openAt === undefined) return
    this.end = this.openAt
    this.openAt = undefined
  }

  /** The whole records, as a view of the buffer: valid until it is next changed. */
  framed(): Buffer {
    return this.bytes.subarray(0, this.size)
  }

  /** Empties it, keeping its memory for the next records. */
  clear(): void {
    this.end = 0
    this.openAt = undefined
  }

  private reserve(more: number): void {
    const needed = this.end + more
    if (needed <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < needed) capacity *= 2
    const grown = Buffer.allocUnsafeSlow(capacity)
    this.bytes.copy(grown, 0, 0, this.end)
    this.bytes = grown
  }
}
