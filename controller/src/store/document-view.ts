/**
 * The store document frozen at one committed version, and its JSON written a slice at a time, so
 * a snapshot of 100k subscribers never holds the event loop for longer than a slice while commits
 * go on changing the live document. Taking the view is cheap: tables are frozen copy-on-write (see
 * MemoryTable.freeze: their rows are immutable, so only the rows replaced since are kept); the few
 * small parts kept outside tables (sequences, the idempotency records, the audit list) are copied.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { FrozenTable } from './memory-table.js'

type Part =
  | { key: string; table: FrozenTable }
  | { key: string; items: readonly unknown[] }
  | { key: string; value: unknown }

export interface DocumentView {
  /** The last committed version the view holds; written as the document's `committedVersion`. */
  readonly version: number
  readonly parts: readonly Part[]
  /** Lets the tables stop keeping old rows: call once the view has been written (or abandoned). */
  release(): void
}

/** Something that can freeze itself: a MemoryTable. */
export interface Freezable {
  readonly name: string
  freeze(): FrozenTable
}

/**
 * Freezes `doc` as it is now. Call it with no transaction running (under the store's lock), so
 * that it holds exactly the commits up to `version`. Tables in `tables` are frozen in place; rows
 * of a table come out in id order rather than insertion order (nothing reads a table's order).
 */
export function viewDocument(doc: object, tables: readonly Freezable[], version: number): DocumentView {
  const byName = new Map(tables.map((t) => [t.name, t]))
  const parts: Part[] = []
  const frozen: FrozenTable[] = []
  try {
    for (const [key, value] of Object.entries(doc)) {
      const table = byName.get(key)
      if (key === 'committedVersion') parts.push({ key, value: version })
      else if (table) {
        const view = table.freeze()
        frozen.push(view)
        parts.push({ key, table: view })
      } else if (Array.isArray(value)) parts.push({ key, items: value.slice() })
      else if (value !== null && typeof value === 'object') parts.push({ key, value: { ...value } })
      else parts.push({ key, value })
    }
  } catch (err) {
    for (const view of frozen) view.release()
    throw err
  }
  if (!Object.hasOwn(doc, 'committedVersion')) parts.push({ key: 'committedVersion', value: version })
  return {
    version,
    parts,
    release: () => {
      for (const view of frozen) view.release()
    },
  }
}

export interface ChunkOptions {
  /** How long one slice may hold the event loop before it lets others run. */
  sliceMs: number
  /** Hands on the text once it holds this many characters (bounds memory; each chunk is written as it comes). */
  chunkChars: number
}

// Small chunks keep the text being built young: held across many slices, 1 MiB chunks survived
// scavenges and were copied by them, pauses of 5–25 ms at 50k subscribers against ~1 ms for 64 KiB.
export const DEFAULT_CHUNKS: ChunkOptions = { sliceMs: 2, chunkChars: 1 << 16 }

/**
 * The view's JSON in chunks; parsed back it equals the document at the view's version. Rows are
 * serialised one at a time, so no slice holds the event loop for much longer than `sliceMs`.
 */
export async function* documentChunks(
  view: DocumentView,
  { sliceMs, chunkChars }: ChunkOptions = DEFAULT_CHUNKS,
): AsyncGenerator<string> {
  let out = '{'
  let sliceStarted = performance.now()
  let first = true
  for (const part of view.parts) {
    const head = `${first ? '' : ','}${JSON.stringify(part.key)}:`
    if ('value' in part) {
      const json = JSON.stringify(part.value)
      if (json === undefined) continue // as JSON.stringify leaves out an undefined property
      out += head + json
    } else {
      const [open, close] = 'items' in part ? ['[', ']'] : ['{', '}']
      out += head + open
      let n = 0
      for (const member of members(part)) {
        if (member === undefined) continue
        out += (n++ > 0 ? ',' : '') + member
        if (out.length >= chunkChars) {
          yield out // the caller writes it, which lets the event loop run
          out = ''
          sliceStarted = performance.now()
        } else if (performance.now() - sliceStarted >= sliceMs) {
          await nextTurn()
          sliceStarted = performance.now()
        }
      }
      out += close
    }
    first = false
  }
  yield `${out}}`
}

/** Each member's JSON: `"id":{…}` for a table, the item for a list; undefined for one JSON leaves out. */
function* members(part: Exclude<Part, { value: unknown }>): Generator<string | undefined> {
  if ('items' in part) {
    for (const item of part.items) yield JSON.stringify(item) ?? 'null'
    return
  }
  for (const id of part.table.ids) {
    const json = JSON.stringify(part.table.rowAt(id))
    yield json === undefined ? undefined : `${JSON.stringify(id)}:${json}`
  }
}
