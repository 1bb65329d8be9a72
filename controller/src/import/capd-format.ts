/**
 * capd's own CSV: one header row naming the columns (any order, case aside), UTF-8. `login`,
 * `name` and `address` are required columns; `plan` and `agent` too unless `--plan`/`--agent` give
 * them; `email`, `phone`, `postal_address`, `notes` and `billing_day` are optional, and an empty cell
 * leaves an existing subscriber's value as it is. An empty `address` cell makes a new subscriber one
 * known by its login (PPPoE, hotspot: the agent finds its address from the router's sessions).
 */
import { type CsvTable, columnIndex } from './csv-table.js'
import { emptyParse, type ImportOptions, optional, type ParsedFile } from './import-rows.js'
import { mappedPlan } from './plan-map.js'

export const CAPD_COLUMNS = [
  'login',
  'name',
  'email',
  'phone',
  'address',
  'plan',
  'agent',
  'billing_day',
  'postal_address',
  'notes',
] as const

const REQUIRED = ['login', 'name', 'address'] as const

/** Whether the header is capd's: every column one of capd's, the required ones there. */
export function isCapdHeader(header: readonly string[]): boolean {
  const index = columnIndex(header)
  return (
    REQUIRED.every((c) => index.has(c)) &&
    [...index.keys()].every((c) => (CAPD_COLUMNS as readonly string[]).includes(c))
  )
}

/** Throws when the header is not capd's, naming what is wrong. */
export function readCapdFile(table: CsvTable, options: ImportOptions): ParsedFile {
  const index = columnIndex(table.header)
  const unknown = [...index.keys()].filter((c) => !(CAPD_COLUMNS as readonly string[]).includes(c))
  if (unknown.length > 0) {
    throw new Error(
      `unknown columns ${unknown.map((c) => `"${c}"`).join(', ')}; capd's are ${CAPD_COLUMNS.join(', ')}`,
    )
  }
  const missing = REQUIRED.filter((c) => !index.has(c))
  if (missing.length > 0) throw new Error(`the header lacks the required columns ${missing.join(', ')}`)
  const out = emptyParse()
  for (const { line, cells } of table.records) {
    const cell = (name: (typeof CAPD_COLUMNS)[number]) => {
      const at = index.get(name)
      return at === undefined ? '' : (cells[at] ?? '')
    }
    const login = cell('login')
    const plan = mappedPlan(cell('plan'), options)
    const agent = cell('agent') || options.agent
    if (!plan || !agent) {
      const what = !plan
        ? 'no plan (give the plan column or --plan)'
        : 'no agent (give the agent column or --agent)'
      out.refused.push({ line, login, message: what })
      continue
    }
    const billingDay = cell('billing_day')
    out.rows.push({
      line,
      login,
      name: cell('name'),
      ...optional('address', cell('address')),
      plan,
      agent,
      ...optional('email', cell('email')),
      ...optional('phone', cell('phone')),
      ...optional('postalAddress', cell('postal_address')),
      ...optional('notes', cell('notes')),
      ...(billingDay ? { billingDay: /^\d+$/.test(billingDay) ? Number(billingDay) : billingDay } : {}),
    })
  }
  return out
}
