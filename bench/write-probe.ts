/**
 * Counts the store's durable writes and keeps their cost: write-ahead log appends (one per group
 * commit) and snapshots of the whole document. openLowdbStore hides its files, so the probe wraps
 * WalFile.prototype.append and DurableJSONFile.prototype.writeChunks instead of changing controller
 * code. Install it before opening the store.
 */
import { DurableJSONFile } from '../controller/src/store/durable-json-file.js'
import { WalFile } from '../controller/src/store/wal-file.js'

export interface AppendStats {
  bytes: number
  /** Log lines, one per committed transaction in the group. */
  lines: number
  /** open + write + fsync + close (+ a directory fsync when the append creates the log). */
  ms: number
}

export interface SnapshotStats {
  bytes: number
  /** Serialising in slices, interleaved with the tmp write, then fsync + link .prev + rename + dir fsync. */
  ms: number
}

export interface WriteProbe {
  /** Completed since the last reset. */
  readonly appends: readonly AppendStats[]
  readonly snapshots: readonly SnapshotStats[]
  reset(): void
}

let installed: WriteProbe | undefined

export function probeStoreWrites(): WriteProbe {
  if (installed) return installed
  const appends: AppendStats[] = []
  const snapshots: SnapshotStats[] = []

  const append = WalFile.prototype.append
  WalFile.prototype.append = async function probedAppend(this: WalFile, framed: Uint8Array) {
    const started = performance.now()
    const before = this.size
    await append.call(this, framed)
    appends.push({
      // What reached the file: the records with their length and checksum headers.
      bytes: this.size - before,
      lines: countLines(framed),
      ms: performance.now() - started,
    })
  }

  const writeChunks = DurableJSONFile.prototype.writeChunks
  DurableJSONFile.prototype.writeChunks = async function probedWriteChunks(
    this: DurableJSONFile<unknown>,
    chunks: AsyncIterable<string>,
  ) {
    const started = performance.now()
    const bytes = await writeChunks.call(this, chunks)
    snapshots.push({ bytes, ms: performance.now() - started })
    return bytes
  }

  installed = {
    appends,
    snapshots,
    reset: () => {
      appends.length = 0
      snapshots.length = 0
    },
  }
  return installed
}

/** Records in framed bytes: each ends in the only newline byte it holds (its JSON escapes them). */
function countLines(framed: Uint8Array): number {
  let count = 0
  for (let i = framed.indexOf(0x0a); i >= 0; i = framed.indexOf(0x0a, i + 1)) count++
  return count
}
