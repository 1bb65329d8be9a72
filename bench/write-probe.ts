/**
 * Counts the store's durable writes and keeps their cost. openLowdbStore hides its file adapter,
 * so the probe wraps DurableJSONFile.prototype.writeText (the one call every group commit makes)
 * instead of changing controller code. Install it before opening the store.
 */
import { DurableJSONFile, type WriteStats } from '../controller/src/store/durable-json-file.js'

export interface WriteProbe {
  /** Writes completed since the last reset, each with what DurableJSONFile measured. */
  readonly writes: readonly WriteStats[]
  reset(): void
}

let installed: WriteProbe | undefined

export function probeStoreWrites(): WriteProbe {
  if (installed) return installed
  const writes: WriteStats[] = []
  const original = DurableJSONFile.prototype.writeText
  DurableJSONFile.prototype.writeText = async function writeText(
    this: DurableJSONFile<unknown>,
    json: string,
  ) {
    await original.call(this, json)
    if (this.lastWriteStats) writes.push(this.lastWriteStats)
  }
  installed = {
    writes,
    reset: () => {
      writes.length = 0
    },
  }
  return installed
}
