/**
 * A durable append-only log file of JSON records (format in record-frame.ts): appends are fsynced
 * before they resolve; opening cuts a torn last record (and says so through the logger) and refuses
 * a damaged one with the file and byte offset, leaving the file exactly as it was.
 */
import { open, readFile, rename, truncate } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fsyncDirectory, writeFileAtomic } from './fsync.js'
import { RecordBuffer } from './record-buffer.js'
import { parseRecords } from './record-frame.js'

export type LogLine = (line: string) => void

/** The log cannot be trusted; the message names the file and offset and says what to do. */
export class LogCorruptError extends Error {
  override readonly name = 'LogCorruptError'
  constructor(
    message: string,
    readonly path: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

export interface OpenedLog<T> {
  log: RecordLog
  records: T[]
  /** Bytes of an interrupted last append that were cut off (0 if none). */
  tornBytes: number
}

export class RecordLog {
  private constructor(
    readonly path: string,
    private bytes: number,
  ) {}

  /**
   * Opens (or starts) the log at `path`. `what` names it in messages ("write-ahead log"); `log`
   * receives the line reporting a cut torn tail. Throws LogCorruptError on damage.
   */
  static async open<T>(path: string, what: string, log: LogLine): Promise<OpenedLog<T>> {
    let bytes: Buffer
    try {
      bytes = await readFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      bytes = Buffer.alloc(0)
    }
    const parsed = parseRecords(bytes)
    if (parsed.bad && !parsed.bad.torn) throw corrupt(path, what, bytes, parsed.bad)
    const records: T[] = []
    for (const record of parsed.records) {
      try {
        records.push(JSON.parse(record.payload) as T)
      } catch (err) {
        // The checksum matched, so capd wrote this: a bug, not damage; still nothing is guessed.
        throw new LogCorruptError(
          `${what} ${path}: the record at byte offset ${record.offset} passed its checksum but is not JSON (${(err as Error).message}). Refusing to start; the file is left as it is.`,
          path,
          record.offset,
        )
      }
    }
    const tornBytes = bytes.length - parsed.goodBytes
    if (parsed.bad) {
      await truncate(path, parsed.goodBytes)
      log(
        `capd: ${what} ${path}: cut ${tornBytes} bytes at byte offset ${parsed.goodBytes} (${parsed.bad.reason}): the last append was interrupted by a crash and never acknowledged`,
      )
    }
    return { log: new RecordLog(path, parsed.goodBytes), records, tornBytes }
  }

  /** Bytes in the file now. */
  get size(): number {
    return this.bytes
  }

  /** Appends records (each one line of JSON) and fsyncs them before resolving. */
  append(payloads: readonly string[]): Promise<void> {
    return this.appendFramed(framedRecords(payloads))
  }

  /**
   * Appends bytes that are whole framed records (a RecordBuffer's) and fsyncs them before resolving.
   * A failed append leaves the file as it was.
   */
  async appendFramed(framed: Uint8Array): Promise<void> {
    if (framed.length === 0) return
    const created = this.bytes === 0
    const file = await open(this.path, 'a', 0o600)
    try {
      await file.writeFile(framed)
      await file.sync()
    } catch (err) {
      // A partial record left behind would sit mid-file once the next append succeeds: damage.
      await file.truncate(this.bytes).catch(() => {})
      throw err
    } finally {
      await file.close()
    }
    if (created) await fsyncDirectory(dirname(this.path))
    this.bytes += framed.length
  }

  /** Replaces the whole log with these records, atomically (compaction). */
  async rewrite(payloads: readonly string[]): Promise<void> {
    if (payloads.length === 0) return this.clear()
    const framed = framedRecords(payloads)
    await writeFileAtomic(this.path, framed)
    this.bytes = framed.length
  }

  /**
   * Keeps the records from byte `offset` on (a size the log once had, so a record boundary) and
   * drops those before, atomically: the kept bytes are copied as they are, a slice at a time off the
   * event loop, into a new file that is fsynced and renamed over the log. A crash leaves the old log
   * or the new one, both whole. An offset at the end empties the log.
   */
  async keepFrom(offset: number): Promise<void> {
    if (offset >= this.bytes) return this.clear()
    if (offset <= 0) return
    const tmp = `${this.path}.tmp`
    const from = await open(this.path, 'r')
    try {
      const to = await open(tmp, 'w', 0o600)
      try {
        const buffer = Buffer.allocUnsafe(Math.min(COPY_SLICE_BYTES, this.bytes - offset))
        for (let at = offset; at < this.bytes; ) {
          const want = Math.min(buffer.length, this.bytes - at)
          const { bytesRead } = await from.read(buffer, 0, want, at)
          if (bytesRead === 0)
            throw new Error(`${this.path} ends at byte ${at}, short of its ${this.bytes} bytes`)
          for (let written = 0; written < bytesRead; )
            written += (await to.write(buffer, written, bytesRead - written)).bytesWritten
          at += bytesRead
        }
        await to.sync()
      } finally {
        await to.close()
      }
    } finally {
      await from.close()
    }
    await rename(tmp, this.path)
    // The file is the kept bytes from here on, whether or not the directory's fsync then fails.
    this.bytes -= offset
    await fsyncDirectory(dirname(this.path))
  }

  /** Empties the log, durably: callers record that they did (a new epoch), and old records must not come back. */
  async clear(): Promise<void> {
    const file = await open(this.path, 'r+').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
    if (file) {
      try {
        await file.truncate(0)
        await file.sync()
      } finally {
        await file.close()
      }
    }
    this.bytes = 0
  }
}

/** Bytes copied at a time by keepFrom. */
const COPY_SLICE_BYTES = 1 << 20

function corrupt(path: string, what: string, bytes: Buffer, bad: { offset: number; reason: string }) {
  const oldFormat = bad.offset === 0 && bytes[0] === 0x7b // '{': one bare JSON line per record
  const detail = oldFormat
    ? 'it holds JSON lines without lengths and checksums, the format of capd before checksummed logs; this capd cannot verify them'
    : `${bad.reason}, and ${bytes.length - bad.offset} bytes follow, so this is damage, not an interrupted append`
  return new LogCorruptError(
    `${what} ${path} is damaged at byte offset ${bad.offset}: ${detail}. ` +
      `Refusing to start; the file is left exactly as it is. Restore it from a backup, or, ` +
      `accepting the loss of every record from that offset on, cut it with ` +
      `\`truncate -s ${bad.offset} ${path}\` (copy it aside first).`,
    path,
    bad.offset,
  )
}

/** The payloads framed, one record each, in a buffer sized for the worst case (no growing). */
function framedRecords(payloads: readonly string[]): Buffer {
  // 3 bytes a UTF-16 unit at most, a header of at most 20 bytes and a newline each.
  const records = new RecordBuffer(payloads.reduce((bytes, payload) => bytes + payload.length * 3 + 21, 0))
  for (const payload of payloads) {
    records.begin()
    records.write(payload)
    records.finish()
  }
  return records.framed()
}
