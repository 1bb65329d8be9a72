/**
 * The backup file: one file holding a whole store at one committed version.
 *
 *   capd-backup 1 sha256=<64 hex digits>\n
 *   <header: one line of JSON — store format and version, capd version, time, counts>\n
 *   <the store document: one line of JSON>\n
 *
 * The SHA-256 covers everything after the first line, so any changed, missing or added byte is
 * found; `head -2` shows what a backup holds without capd.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { checkData, checkFormat, DATA_FORMAT } from './data.js'
import { migrateDocument } from './migrations.js'
import type { Doc } from './store-reader.js'

export const BACKUP_FORMAT = 'capd-backup'
const BACKUP_FORMAT_VERSION = 1
const FIRST_LINE = /^capd-backup (\d+) sha256=([0-9a-f]{64})$/

export const BackupHeader = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  storeFormat: z.literal(DATA_FORMAT),
  storeVersion: z.number().int().min(1),
  capdVersion: z.string().min(1),
  createdAt: z.iso.datetime(),
  committedVersion: z.number().int().min(0),
  currency: z.string().nullable(),
  /** Rows per table (entries per list). */
  counts: z.record(z.string(), z.number().int().min(0)),
})
export type BackupHeader = z.infer<typeof BackupHeader>

/** A backup that cannot be used: damaged, foreign, or not readable by this build. Nothing was written. */
export class BackupRefused extends Error {
  override readonly name = 'BackupRefused'
}

/** Serialises `doc` (at `doc.committedVersion`) as a backup file. */
export function encodeBackup(
  doc: Doc,
  meta: { capdVersion: string; createdAt: Date },
): {
  text: string
  header: BackupHeader
} {
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    storeFormat: DATA_FORMAT,
    storeVersion: doc.version,
    capdVersion: meta.capdVersion,
    createdAt: meta.createdAt.toISOString(),
    committedVersion: typeof doc.committedVersion === 'number' ? doc.committedVersion : 0,
    currency: currencyOf(doc),
    counts: countRows(doc),
  }
  const body = `${JSON.stringify(header)}\n${JSON.stringify(doc)}\n`
  return { text: `${BACKUP_FORMAT} ${BACKUP_FORMAT_VERSION} sha256=${sha256(body)}\n${body}`, header }
}

/**
 * Checks a backup file through and through: its checksum, its header, a document of a store
 * version this build can read (or migrate) with every table, and a header that agrees with it.
 */
export function decodeBackup(bytes: Buffer, source: string): { header: BackupHeader; doc: Doc } {
  const firstEnd = bytes.indexOf(0x0a)
  const first = FIRST_LINE.exec(
    bytes.toString('latin1', 0, firstEnd === -1 ? Math.min(bytes.length, 200) : firstEnd),
  )
  if (!first)
    throw new BackupRefused(`${source} is not a capd backup (it does not start with "${BACKUP_FORMAT} ")`)
  if (Number(first[1]) !== BACKUP_FORMAT_VERSION) {
    throw new BackupRefused(
      `${source} is a capd backup of file format ${first[1]}; this capd reads format ${BACKUP_FORMAT_VERSION}`,
    )
  }
  const body = bytes.subarray(firstEnd + 1)
  if (sha256(body) !== first[2]) {
    throw new BackupRefused(
      `${source} is damaged: its SHA-256 does not match (${body.length} bytes after the first line). ` +
        'It was changed or cut short after it was written; use another backup.',
    )
  }
  const [headerLine, docLine, rest] = body.toString('utf8').split('\n')
  if (headerLine === undefined || docLine === undefined || rest !== '') {
    throw new BackupRefused(`${source} does not hold a header and a document`)
  }
  const header = BackupHeader.safeParse(parseJson(headerLine, `${source}: the header`))
  if (!header.success) throw new BackupRefused(`${source}: the header is not valid (${header.error.message})`)
  const doc = parseJson(docLine, `${source}: the store document`) as Doc
  checkDocument(doc, header.data, source)
  return { header: header.data, doc }
}

function checkDocument(doc: Doc, header: BackupHeader, source: string): void {
  try {
    checkFormat(doc, `${source}: the store document`)
    // An older version is fine to hold: it must come out of `capd migrate` whole.
    checkData(
      migrateDocument(doc, source, { atMs: 0, capdVersion: 'check' }).doc,
      `${source}: the store document`,
    )
  } catch (err) {
    throw new BackupRefused((err as Error).message)
  }
  const disagree = (what: string, inHeader: unknown, inDoc: unknown) => {
    if (JSON.stringify(inHeader) !== JSON.stringify(inDoc)) {
      throw new BackupRefused(
        `${source}: the header says ${what} ${JSON.stringify(inHeader)}, the document ${JSON.stringify(inDoc)}`,
      )
    }
  }
  disagree('store version', header.storeVersion, doc.version)
  disagree('committed version', header.committedVersion, doc.committedVersion ?? 0)
  disagree('counts', header.counts, countRows(doc))
}

/** Rows in each table of the document (entries in each list); counters and the migration list aside. */
export function countRows(doc: Doc): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'sequences' || key === 'migrations' || value === null || typeof value !== 'object') continue
    counts[key] = Array.isArray(value) ? value.length : Object.keys(value).length
  }
  return counts
}

function currencyOf(doc: Doc): string | null {
  const settings = doc.settings as Record<string, { value?: unknown }> | undefined
  const value = settings?.currency?.value
  return typeof value === 'string' ? value : null
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new BackupRefused(`${what} is not valid JSON (${(err as Error).message})`)
  }
}

function sha256(bytes: string | Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
