/**
 * `capd import subscribers`: reads the file, turns it into rows, has the controller check (and,
 * when every row is good, apply) them, and writes one report line per refused, skipped or updated
 * row and per address left out, then the counts. Returns the exit status.
 */
import { readFile } from 'node:fs/promises'
import type { ImportReport } from '../api/subscriber-import-route.js'
import { type CsvTable, readCsvTable } from './csv-table.js'
import { detectFormat, FORMATS } from './formats.js'
import type { ImportArgs } from './import-args.js'
import { ControllerError, postImport } from './import-client.js'
import type { LineNote, ParsedFile } from './import-rows.js'

export interface ImportIo {
  /** Writes one line of the report. */
  out(line: string): void
  /** Writes one line about what stopped the import. */
  err(line: string): void
  fetch?: typeof fetch
}

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const

export async function runImport(args: ImportArgs, io: ImportIo): Promise<number> {
  let table: CsvTable
  try {
    table = readCsvTable(utf8(await readFile(args.file)))
  } catch (err) {
    io.err(`capd import: ${args.file}: ${(err as Error).message}`)
    return EXIT.usage
  }
  const format = args.format ?? detectFormat(table.header)
  if (!format) {
    io.err(
      `capd import: ${args.file}: cannot tell the format from the header row; give --format capd, libreqos or splynx`,
    )
    return EXIT.usage
  }
  io.out(
    `${args.file}: ${FORMATS[format].title} (${args.format ? 'as --format says' : 'told from the header row'})`,
  )
  let parsed: ParsedFile
  try {
    parsed = FORMATS[format].read(table, args.options)
  } catch (err) {
    io.err(`capd import: ${args.file}: ${(err as Error).message}`)
    return EXIT.usage
  }
  // Rows the file already refused: the controller only checks the rest, so nothing changes.
  const dryRun = args.dryRun || parsed.refused.length > 0
  let report: ImportReport | undefined
  if (parsed.rows.length > 0) {
    try {
      report = await postImport(args.url, args.token, { dryRun, rows: parsed.rows }, io.fetch)
    } catch (err) {
      if (!(err instanceof ControllerError)) throw err
      io.err(`capd import: ${err.message}`)
      return EXIT.usage
    }
  }
  for (const line of reportLines(parsed, report)) io.out(line)
  const refused = parsed.refused.length + (report?.counts.refused ?? 0)
  io.out(summary(parsed, report, refused, args.dryRun))
  return refused > 0 ? EXIT.refused : EXIT.ok
}

/** A spreadsheet's "CSV" in a legacy code page would import garbled names: refused, saying how to save it. */
function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new Error('the file is not UTF-8 text; save it as "CSV UTF-8"')
  }
}

/** Every row worth a line, in file order. */
function reportLines(parsed: ParsedFile, report: ImportReport | undefined): string[] {
  const lines: { line: number; text: string }[] = []
  const add = (note: Pick<LineNote, 'line'>, text: string) =>
    lines.push({ line: note.line, text: `line ${note.line}: ${text}` })
  for (const note of parsed.refused) add(note, note.message)
  for (const note of parsed.skipped) add(note, `skipped ${quoted(note.login)}: ${note.message}`)
  for (const note of parsed.notes) add(note, `note for ${quoted(note.login)}: ${note.message}`)
  for (const row of report?.rows ?? []) {
    const line = row.line ?? row.index + 1
    if (row.outcome === 'refused') {
      for (const p of row.problems) {
        const text = !p.path || p.message.startsWith(p.path) ? p.message : `${p.path}: ${p.message}`
        add({ line }, text)
      }
    }
    if (row.outcome === 'update') {
      const changes = row.changes.map((c) => `${c.field} ${shown(c.from)} → ${shown(c.to)}`).join(', ')
      add({ line }, `update ${quoted(row.login)}: ${changes}`)
    }
  }
  return lines.sort((a, b) => a.line - b.line).map((l) => l.text)
}

function summary(
  parsed: ParsedFile,
  report: ImportReport | undefined,
  refused: number,
  dryRun: boolean,
): string {
  const counts = report?.counts ?? { create: 0, update: 0, unchanged: 0 }
  const parts = [
    `${counts.create} to create`,
    `${counts.update} to update`,
    `${counts.unchanged} unchanged`,
    `${refused} refused`,
    ...(parsed.skipped.length > 0 ? [`${parsed.skipped.length} skipped`] : []),
  ]
  const outcome =
    refused > 0
      ? 'nothing was changed: fix or remove the refused rows and run it again'
      : dryRun
        ? 'dry run: nothing was changed'
        : report?.applied
          ? 'done'
          : 'nothing to import'
  return `${parts.join(', ')}; ${outcome}`
}

const quoted = (login: string | undefined) => (login ? `"${login}"` : 'row')
const shown = (value: string | number | null) => (value === null ? '(none)' : JSON.stringify(value))
