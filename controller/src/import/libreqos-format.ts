/**
 * LibreQoS's ShapedDevices.csv, one row per device, read by column name. The header, from
 * LibreQoS's src/ShapedDevices.example.csv (v1.5; older files lack the last column):
 *
 *   Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,MAC,IPv4,IPv6,
 *   Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm
 *
 * Devices with the same Circuit ID share one queue (LibreQoS v1.2 README), so a circuit becomes one
 * subscriber: login = Circuit ID, name = Circuit Name (the Circuit ID when empty), the circuit's
 * first row giving name and rates. IPv4/IPv6 cells may list several entries, comma-separated;
 * capd takes one (see one-address.ts). The plan is `--map-plan "down/up=Plan"` keyed by the
 * Download/Upload Max Mbps, else `--plan`. Cells past the header (an unquoted comma in a Comment)
 * are ignored, as LibreQoS reads columns by position.
 */
import { type CsvRecord, type CsvTable, columnIndex, fold } from './csv-table.js'
import { emptyParse, type ImportOptions, type ParsedFile } from './import-rows.js'
import { leftOutNote, oneAddress } from './one-address.js'
import { mapKey } from './plan-map.js'

export const LIBREQOS_COLUMNS = {
  circuitId: 'Circuit ID',
  circuitName: 'Circuit Name',
  deviceId: 'Device ID',
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  downloadMax: 'Download Max Mbps',
  uploadMax: 'Upload Max Mbps',
} as const

type Column = keyof typeof LIBREQOS_COLUMNS

export function isLibreQosHeader(header: readonly string[]): boolean {
  const index = columnIndex(header)
  return index.has(fold(LIBREQOS_COLUMNS.circuitId)) && index.has(fold(LIBREQOS_COLUMNS.deviceId))
}

export function readLibreQosFile(table: CsvTable, options: ImportOptions): ParsedFile {
  const index = columnIndex(table.header)
  const missing = Object.values(LIBREQOS_COLUMNS).filter((name) => !index.has(fold(name)))
  if (missing.length > 0) throw new Error(`the header lacks LibreQoS's columns ${missing.join(', ')}`)
  if (!options.agent) throw new Error('a ShapedDevices.csv names no capd agent: give --agent NAME')
  const cell = (record: CsvRecord, column: Column) =>
    record.cells[index.get(fold(LIBREQOS_COLUMNS[column]))!] ?? ''
  const out = emptyParse()
  const circuits = new Map<string, CsvRecord[]>()
  for (const record of table.records) {
    const id = cell(record, 'circuitId')
    if (!id) {
      out.refused.push({ line: record.line, message: 'Circuit ID is empty; capd needs it as the login' })
      continue
    }
    const devices = circuits.get(id)
    if (devices) devices.push(record)
    else circuits.set(id, [record])
  }
  for (const [login, devices] of circuits) {
    const first = devices[0]!
    const line = first.line
    const rates = `${cell(first, 'downloadMax')}/${cell(first, 'uploadMax')}`
    const plan = options.planMap.get(mapKey(rates)) ?? options.plan
    if (!plan) {
      const message = `no plan for ${rates} Mbps: give --map-plan "${rates}=PLAN" or --plan PLAN`
      out.refused.push({ line, login, message })
      continue
    }
    const choice = oneAddress(devices.flatMap((d) => [cell(d, 'ipv4'), cell(d, 'ipv6')]))
    if ('problem' in choice) {
      out.refused.push({ line, login, message: `circuit "${login}": ${choice.problem}` })
      continue
    }
    if (choice.leftOut.length > 0) out.notes.push({ line, login, message: leftOutNote(choice.leftOut) })
    const name = cell(first, 'circuitName') || login
    out.rows.push({ line, login, name, address: choice.address, plan, agent: options.agent })
  }
  return out
}
