/**
 * Upgrades of the store's format, one ordered step per version (n → n+1), each a pure function
 * from the old document to the new one. `capd migrate` runs them on a stopped data dir; the
 * controller itself only ever opens a document of exactly DATA_VERSION (see checkData).
 */
import { checkFormat, DATA_VERSION, type Data, type StoreMigration } from './data.js'

/** Who applies a step, and when: recorded in the document's `migrations` list. */
export interface MigrationStamp {
  atMs: number
  capdVersion: string
}

type Doc = Record<string, unknown>

export interface Migration {
  readonly from: number
  readonly to: number
  /** What the step changes, for `capd migrate` to print. */
  readonly summary: string
  /**
   * How the release that wrote version `from` read such a document before replaying its
   * write-ahead log onto it: the log's records were written against that reading.
   */
  readonly readAsWritten: (doc: Doc) => Doc
  readonly up: (doc: Doc, stamp: MigrationStamp) => Doc
}

/**
 * Tables and lists added while the store was at version 1, which that release read as empty when
 * absent (agent sync, portal and operator sessions, settings, anomalies, orders and payment
 * events, notifications, deliveries, webhooks, usage history).
 */
const VERSION_1_DEFAULTED = [
  'usageMarks',
  'usagePeriods',
  'portalSessions',
  'operatorSessions',
  'settings',
  'usageAnomalies',
  'orders',
  'paymentEvents',
  'notifications',
  'deliveries',
  'webhookEndpoints',
  'usageDays',
  'usageMonths',
] as const

function withVersion1Defaults(doc: Doc): Doc {
  const filled: Doc = { ...doc }
  for (const table of VERSION_1_DEFAULTED) filled[table] ??= {}
  return filled
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    summary: 'writes out every table version 1 left implicit, and starts the list of migrations',
    readAsWritten: withVersion1Defaults,
    up: (doc, stamp) => ({
      ...withVersion1Defaults(doc),
      version: 2,
      migrations: withRecord(doc, 1, 2, stamp),
    }),
  },
]

/** The document's list of migrations with this step added (a step's `up` records itself). */
function withRecord(doc: Doc, from: number, to: number, stamp: MigrationStamp): StoreMigration[] {
  const before = Array.isArray(doc.migrations) ? (doc.migrations as StoreMigration[]) : []
  return [...before, { from, to, atMs: stamp.atMs, capdVersion: stamp.capdVersion }]
}

/** The steps that take a document at `version` to DATA_VERSION, in order (none if it is current). */
export function migrationsFrom(version: number): Migration[] {
  const steps: Migration[] = []
  for (let v = version; v < DATA_VERSION; v++) {
    const step = MIGRATIONS.find((m) => m.from === v)
    if (!step || step.to !== v + 1) throw new Error(`this capd has no upgrade from store version ${v}`)
    steps.push(step)
  }
  return steps
}

/** Brings a document of any version this build knows up to DATA_VERSION, without touching the input. */
export function migrateDocument(
  doc: unknown,
  source: string,
  stamp: MigrationStamp,
): { doc: Data; applied: Migration[] } {
  const checked = checkFormat(doc, source)
  const applied = migrationsFrom(checked.version)
  let current: Doc = checked as Doc
  for (const step of applied) current = step.up(current, stamp)
  return { doc: current as unknown as Data, applied }
}
