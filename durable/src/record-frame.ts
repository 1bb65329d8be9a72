/**
 * The record format of capd's append-only logs: one line per record, `<length> <crc32> <payload>\n`,
 * where `length` is the payload's size in bytes (decimal, no leading zeros), `crc32` is the IEEE CRC-32
 * of the payload as 8 lowercase hex digits, and the payload is one line of JSON. As in PostgreSQL's
 * and SQLite's write-ahead logs, a bad record at the very end of the file is an append a crash
 * interrupted (torn: cut off); a bad record anywhere else is damage, and nothing is guessed.
 */
import { crc32 } from 'node:zlib'

export const NEWLINE = 0x0a
const SPACE = 0x20
/** A longer length field is not something capd wrote (records are far below 1 GB). */
export const MAX_LENGTH_DIGITS = 10

/** Frames one payload (which must not contain a newline; JSON.stringify output never does). */
export function frameRecord(payload: string): string {
  if (payload.includes('\n')) throw new TypeError('a log record must be one line')
  return `${recordHeader(Buffer.from(payload, 'utf8'))}${payload}\n`
}

/** What goes before a payload's bytes: `<length> <crc32> `. */
export function recordHeader(body: Uint8Array): string {
  return `${body.length} ${crcHex(body)} `
}

export interface ParsedRecord {
  /** Byte offset of the record in the file. */
  offset: number
  payload: string
}

/** Where and why reading stopped early. */
export interface BadRecord {
  offset: number
  reason: string
  /** True when the damage can only be an interrupted last append (see the module comment). */
  torn: boolean
}

export interface ParsedLog {
  records: ParsedRecord[]
  /** Bytes holding whole, checked records: everything before the first bad one. */
  goodBytes: number
  bad?: BadRecord
}

/** Reads every record; stops at the first bad one and says whether it is a torn tail or damage. */
export function parseRecords(bytes: Buffer): ParsedLog {
  const records: ParsedRecord[] = []
  let at = 0
  while (at < bytes.length) {
    const result = readRecord(bytes, at)
    if ('reason' in result) {
      return {
        records,
        goodBytes: at,
        bad: { offset: at, reason: result.reason, torn: isTorn(bytes, at, result) },
      }
    }
    records.push({ offset: at, payload: result.payload })
    at = result.next
  }
  return { records, goodBytes: at }
}

type ReadResult = { payload: string; next: number } | { reason: string; declaredEnd?: number }

function readRecord(bytes: Buffer, at: number): ReadResult {
  let i = at
  while (i < bytes.length && i - at <= MAX_LENGTH_DIGITS && isDigit(bytes[i]!)) i++
  const digits = i - at
  if (digits === 0 || digits > MAX_LENGTH_DIGITS || (digits > 1 && bytes[at] === 0x30)) {
    return { reason: 'no record length where a record should start' }
  }
  if (i >= bytes.length) return { reason: 'the file ends inside a record header' }
  if (bytes[i] !== SPACE) return { reason: 'no record length where a record should start' }
  const length = Number(bytes.toString('latin1', at, i))
  const crcAt = i + 1
  const payloadAt = crcAt + 9
  if (payloadAt > bytes.length) return { reason: 'the file ends inside a record header' }
  const crcText = bytes.toString('latin1', crcAt, crcAt + 8)
  if (!/^[0-9a-f]{8}$/.test(crcText) || bytes[crcAt + 8] !== SPACE) {
    return { reason: 'the record header has no checksum' }
  }
  const declaredEnd = payloadAt + length
  if (declaredEnd >= bytes.length) {
    return { reason: `the record says ${length} bytes but the file ends first`, declaredEnd }
  }
  if (bytes[declaredEnd] !== NEWLINE)
    return { reason: 'the record does not end where its length says', declaredEnd }
  const body = bytes.subarray(payloadAt, declaredEnd)
  if (crcHex(body) !== crcText) return { reason: 'checksum mismatch', declaredEnd }
  return { payload: body.toString('utf8'), next: declaredEnd + 1 }
}

/**
 * A bad record is torn only if it is the last thing in the file: no line ends after its start but
 * the file's last byte, and, where its length could be read, that length does not stop short of the
 * end (a record that ends inside the file with more after it was written whole and then damaged).
 * NUL bytes at the very end do not count as written: capd never writes one (JSON escapes it), while
 * a crash can leave a file extended over an append whose data never reached the disk, so a group
 * commit cut inside one record reads as that record's beginning followed by NULs. Nor is a last
 * record torn that ends in its newline and holds no NUL: what a crash leaves is a prefix of what was
 * written (with NULs where data never arrived), which ends in a newline only where a whole record
 * ends, and that record would read back; this one was written whole and changed since.
 */
function isTorn(bytes: Buffer, at: number, result: { declaredEnd?: number }): boolean {
  let end = bytes.length
  while (end > at && bytes[end - 1] === 0) end--
  // Nothing but NULs from here: an append extended over but never written (at offset 0, a first one).
  if (end === at) return true
  const newline = bytes.indexOf(NEWLINE, at)
  if (newline !== -1 && newline < end - 1) return false
  if (newline === end - 1 && !bytes.subarray(at, end).includes(0)) return false
  return result.declaredEnd === undefined || result.declaredEnd >= end - 1
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39
}

function crcHex(body: Uint8Array): string {
  return crc32(body).toString(16).padStart(8, '0')
}
