/** The file formats `capd import subscribers` reads, and telling them apart by their header row. */
import { isCapdHeader, readCapdFile } from './capd-format.js'
import type { CsvTable } from './csv-table.js'
import type { ImportOptions, ParsedFile } from './import-rows.js'
import { isLibreQosHeader, readLibreQosFile } from './libreqos-format.js'
import { isSplynxHeader, readSplynxFile } from './splynx-format.js'

export const FORMATS = {
  capd: { title: 'capd CSV', isHeader: isCapdHeader, read: readCapdFile },
  libreqos: { title: 'LibreQoS ShapedDevices.csv', isHeader: isLibreQosHeader, read: readLibreQosFile },
  splynx: { title: 'Splynx customer export', isHeader: isSplynxHeader, read: readSplynxFile },
} as const satisfies Record<
  string,
  {
    title: string
    isHeader: (header: readonly string[]) => boolean
    read: (table: CsvTable, options: ImportOptions) => ParsedFile
  }
>

export type FormatName = keyof typeof FORMATS

export const isFormatName = (name: string): name is FormatName => Object.hasOwn(FORMATS, name)

/** The format whose header this is (capd's first: its columns are a closed set), if any. */
export function detectFormat(header: readonly string[]): FormatName | undefined {
  return (['capd', 'libreqos', 'splynx'] as const).find((name) => FORMATS[name].isHeader(header))
}
