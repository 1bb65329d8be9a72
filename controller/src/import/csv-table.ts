/**
 * A CSV file as a header and records with the line each starts on: UTF-8 with or without a BOM,
 * CRLF, LF or CR line ends, quoted cells holding commas, quotes and line ends, blank lines and
 * `#` comment lines (LibreQoS's example files start with some) skipped. Cells are trimmed.
 */
import { parse } from 'csv-parse/sync'

export interface CsvRecord {
  /** The file's line the record starts on (from 1). */
  line: number
  cells: string[]
}

export interface CsvTable {
  header: string[]
  records: CsvRecord[]
}

/** Throws a CSV syntax error (an unclosed quote...) with the line it is on. */
export function readCsvTable(text: string): CsvTable {
  // One line end everywhere, so line numbers count the way an editor does and cells hold `\n`.
  const parsed = parse(text.replace(/\r\n?/g, '\n'), {
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    comment: '#',
    comment_no_infix: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[]
  const records = parsed.map(({ record, info }) => ({
    // The parser counts the line a record ends on; a quoted line end inside it started it earlier.
    line: info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0),
    cells: record.map((cell) => cell.trim()),
  }))
  const [head, ...rest] = records
  if (!head) throw new Error('the file is empty: it needs a header row')
  return { header: head.cells, records: rest.filter((r) => r.cells.some((cell) => cell !== '')) }
}

/** The header's columns by folded name (case and spaces aside), to read cells by name. */
export function columnIndex(header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>()
  for (const [i, name] of header.entries()) if (!index.has(fold(name))) index.set(fold(name), i)
  return index
}

export const fold = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ')
