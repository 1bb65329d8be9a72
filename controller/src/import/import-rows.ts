/** What a file format hands the import: rows for the API, and what it refused, skipped or left out itself. */

/** A row as the import route takes it (see api/subscriber-import-schemas.ts); the route checks it. */
export interface WireRow {
  line: number
  login: string
  name: string
  email?: string
  phone?: string
  postalAddress?: string
  notes?: string
  /** Absent: known by login (a new subscriber), or left as it is (an existing one). */
  address?: string
  plan: string
  agent: string
  billingDay?: number | string
}

/** Something about one line of the file, for the report. */
export interface LineNote {
  line: number
  login?: string
  message: string
}

export interface ParsedFile {
  rows: WireRow[]
  /** Rows the format could not turn into a subscriber (the import then changes nothing). */
  refused: LineNote[]
  /** Rows left out on purpose (a Splynx customer who is not active). */
  skipped: LineNote[]
  /** What was not imported from rows that were (a second address, a second phone). */
  notes: LineNote[]
}

/** What the command line adds to a file. */
export interface ImportOptions {
  /** The agent of rows that name none (LibreQoS and Splynx files never do). */
  agent?: string
  /** The plan of rows that name none, or whose rates or tariff no mapping covers. */
  plan?: string
  /** `--map-plan "Their tariff=Our plan"` (LibreQoS: `"down/up=Our plan"`, in Mbps). */
  planMap: ReadonlyMap<string, string>
  /** Import Splynx customers whatever their status. */
  includeInactive: boolean
}

export const emptyParse = (): ParsedFile => ({ rows: [], refused: [], skipped: [], notes: [] })

/** `{ key: value }` when the value is there: an empty cell leaves the field as it is. */
export function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {}
}
