/**
 * A Splynx customer list exported as CSV (Customers → List, export). The exact export layout
 * could not be confirmed from Splynx's documentation, so columns are found by the names Splynx
 * shows for them (docs.splynx.com "Customer information" and "Adding a new customer": ID, Portal
 * login, Status, Full name, Email, Phone number, Street, ZIP code, City; wiki.splynx.com
 * "Customer usage" report: Internet plans, IPs) or by their API field names; SPLYNX_COLUMNS is
 * the one table to adjust for another layout.
 *
 * login = Portal login; the tariff becomes a plan by `--map-plan "Tariff=Plan"` or by the same
 * name (`--plan` when the cell is empty); the IP becomes the address (one, see one-address.ts).
 * Customers whose status is not Active are skipped unless `--include-inactive`. Email and phone
 * cells may list several, comma-separated: the first is taken. Splynx keeps CAP/FUP limits on the
 * tariff, so a subscriber's cap is that of the capd plan its tariff maps to.
 */
import { type CsvRecord, type CsvTable, columnIndex, fold } from './csv-table.js'
import { emptyParse, type ImportOptions, optional, type ParsedFile } from './import-rows.js'
import { leftOutNote, oneAddress } from './one-address.js'
import { mappedPlan } from './plan-map.js'

/** Each field and the column names it may have, first match wins. */
export const SPLYNX_COLUMNS = {
  login: ['Portal login', 'Login'],
  name: ['Full name', 'Name'],
  status: ['Status'],
  email: ['Email', 'E-mail'],
  phone: ['Phone number', 'Phone'],
  tariff: ['Internet plans', 'Internet plan', 'Tariff plan', 'Tariff', 'Plan'],
  ip: ['IPs', 'IP', 'IP address', 'IPv4'],
  street: ['Street'],
  zip: ['ZIP code', 'ZIP', 'zip_code'],
  city: ['City'],
} as const satisfies Record<string, readonly string[]>

type Field = keyof typeof SPLYNX_COLUMNS

const REQUIRED: readonly Field[] = ['login', 'name', 'status', 'ip']

/** The status Splynx gives a customer who uses their services. */
const ACTIVE = 'active'

function fieldIndex(header: readonly string[]): Map<Field, number> {
  const index = columnIndex(header)
  const out = new Map<Field, number>()
  for (const [field, names] of Object.entries(SPLYNX_COLUMNS) as [Field, readonly string[]][]) {
    const at = names.map((n) => index.get(fold(n))).find((i) => i !== undefined)
    if (at !== undefined) out.set(field, at)
  }
  return out
}

export function isSplynxHeader(header: readonly string[]): boolean {
  const index = fieldIndex(header)
  return REQUIRED.every((f) => index.has(f))
}

export function readSplynxFile(table: CsvTable, options: ImportOptions): ParsedFile {
  const index = fieldIndex(table.header)
  const missing = REQUIRED.filter((f) => !index.has(f))
  if (missing.length > 0) {
    const names = missing.map((f) => SPLYNX_COLUMNS[f].map((n) => `"${n}"`).join(' or '))
    throw new Error(`the header lacks Splynx's columns ${names.join(', ')}`)
  }
  if (!options.agent) throw new Error('a Splynx export names no capd agent: give --agent NAME')
  const out = emptyParse()
  for (const record of table.records) {
    const cell = (field: Field) => cellOf(record, index.get(field))
    const { line } = record
    const login = cell('login')
    const status = cell('status')
    if (status.toLowerCase() !== ACTIVE && !options.includeInactive) {
      out.skipped.push({
        line,
        login,
        message: `status ${status || '(empty)'}; --include-inactive imports it`,
      })
      continue
    }
    const tariffs = list(cell('tariff'))
    if (tariffs.length > 1) {
      const message = `several internet plans (${tariffs.join(', ')}); capd holds one plan per subscriber`
      out.refused.push({ line, login, message })
      continue
    }
    const plan = mappedPlan(tariffs[0] ?? '', options)
    if (!plan) {
      out.refused.push({ line, login, message: 'no internet plan: give --plan for customers without one' })
      continue
    }
    const choice = oneAddress([cell('ip')])
    if ('problem' in choice) {
      out.refused.push({ line, login, message: choice.problem })
      continue
    }
    if (choice.leftOut.length > 0) out.notes.push({ line, login, message: leftOutNote(choice.leftOut) })
    const [email, ...moreEmails] = list(cell('email'))
    const [phone, ...morePhones] = list(cell('phone'))
    const more = [...moreEmails, ...morePhones]
    if (more.length > 0) {
      out.notes.push({
        line,
        login,
        message: `${more.join(', ')} not imported: capd keeps one e-mail and one phone`,
      })
    }
    const place = [cell('zip'), cell('city')].filter(Boolean).join(' ')
    const postal = [cell('street'), place].filter(Boolean).join(', ')
    out.rows.push({
      line,
      login,
      name: cell('name'),
      address: choice.address,
      plan,
      agent: options.agent,
      ...optional('email', email),
      ...optional('phone', phone),
      ...optional('postalAddress', postal),
    })
  }
  return out
}

const cellOf = (record: CsvRecord, at: number | undefined) =>
  at === undefined ? '' : (record.cells[at] ?? '')

/** A cell that may list several values, comma-separated. */
const list = (cell: string) =>
  cell
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
