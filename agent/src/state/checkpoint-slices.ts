/**
 * The checkpoint's JSON built in slices, yielding to the event loop between them, so that a
 * compaction in the background never holds up a pushed limit or a poll for a whole serialisation.
 * The text is the one saveCheckpoint writes (same fields, same order), so readCheckpoint reads both.
 */
import type { AgentState } from './checkpoint.js'
import { toStoredBaseline } from './checkpoint.js'

/** Entries serialised between two yields: well under a millisecond of work. */
const SLICE = 256

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Serialises `snapshot` (maps that nobody changes while this runs: the store hands in copies) with
 * `logGen` as the state log generation to replay onto it.
 */
export async function checkpointText(snapshot: AgentState, logGen: number): Promise<string> {
  const head = JSON.stringify({
    epoch: snapshot.epoch,
    appliedSeq: snapshot.appliedSeq,
    ackedSeq: snapshot.ackedSeq,
    logGen,
  })
  const parts = [head.slice(0, -1)]
  await section(parts, 'baselines', snapshot.baselines, toStoredBaseline)
  await section(parts, 'created', snapshot.created, (c) => c)
  await section(parts, 'books', snapshot.books, (b) => b)
  parts.push('}')
  return parts.join('')
}

async function section<V>(
  parts: string[],
  name: string,
  entries: ReadonlyMap<string, V>,
  stored: (value: V) => unknown,
): Promise<void> {
  let slice: string[] = []
  let first = true
  parts.push(`,${JSON.stringify(name)}:{`)
  for (const [id, value] of entries) {
    slice.push(`${JSON.stringify(id)}:${JSON.stringify(stored(value))}`)
    if (slice.length === SLICE) {
      parts.push((first ? '' : ',') + slice.join(','))
      first = false
      slice = []
      await nextTurn()
    }
  }
  if (slice.length > 0) parts.push((first ? '' : ',') + slice.join(','))
  parts.push('}')
}
