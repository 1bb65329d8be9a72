/** The command line of `capd import subscribers`, parsed into one checked set of options. */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { type FormatName, isFormatName } from './formats.js'
import type { ImportOptions } from './import-rows.js'
import { parsePlanMap } from './plan-map.js'

export const IMPORT_USAGE = `Usage: capd import subscribers FILE.csv [options]

Adds or updates subscribers (by login) from a CSV file through the controller's API. Every row is
checked first; if any is refused, nothing is changed.

  --format F        capd, libreqos (ShapedDevices.csv) or splynx (customer export);
                    default: told from the header row
  --dry-run         check every row and report what would change; change nothing
  --url URL         the controller (default $CAPD_URL, else http://127.0.0.1:8080)
  --token TOKEN     an API token, or file:///path to a file holding one
                    (default $CAPD_API_TOKEN)
  --agent NAME      the agent (name or id) of rows that name none; required for
                    libreqos and splynx files
  --plan NAME       the plan of rows that name none or that no --map-plan covers
  --map-plan "THEIRS=OURS"
                    their tariff (splynx, or a capd file's plan column) or "down/up"
                    Max Mbps (libreqos) becomes our plan OURS; repeatable
  --include-inactive
                    splynx: import customers whatever their status (default: Active only)
  -h, --help        this text

Exit status: 0 all rows good, 1 rows refused (nothing changed), 2 usage or connection error.`

export interface ImportArgs {
  help: boolean
  file: string
  format?: FormatName
  dryRun: boolean
  url: string
  token: string
  options: ImportOptions
}

/** Throws an Error whose message says what is wrong with the command line. */
export function parseImportArgs(argv: string[], env: NodeJS.ProcessEnv): ImportArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      url: { type: 'string' },
      token: { type: 'string' },
      agent: { type: 'string' },
      plan: { type: 'string' },
      'map-plan': { type: 'string', multiple: true, default: [] },
      'include-inactive': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const base = { dryRun: values['dry-run'], url: '', token: '', file: '' }
  const options: ImportOptions = {
    planMap: parsePlanMap(values['map-plan']),
    includeInactive: values['include-inactive'],
    ...(values.agent?.trim() ? { agent: values.agent.trim() } : {}),
    ...(values.plan?.trim() ? { plan: values.plan.trim() } : {}),
  }
  if (values.help) return { help: true, ...base, options }
  const [what, file, ...extra] = positionals
  if (what !== 'subscribers') throw new Error('say what to import: capd import subscribers FILE.csv')
  if (!file) throw new Error('give the CSV file to import')
  if (extra.length > 0) throw new Error(`one file at a time (also given: ${extra.join(' ')})`)
  const format = values.format
  if (format !== undefined && !isFormatName(format)) {
    throw new Error(`--format "${format}": give capd, libreqos or splynx`)
  }
  return {
    help: false,
    file,
    ...(format ? { format } : {}),
    dryRun: values['dry-run'],
    url: controllerUrl(values.url ?? env.CAPD_URL ?? 'http://127.0.0.1:8080'),
    token: apiToken(values.token ?? env.CAPD_API_TOKEN),
    options,
  }
}

function controllerUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`--url "${value}" is not a URL (e.g. https://capd.example.net)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`--url "${value}": give an http:// or https:// URL`)
  }
  return url.href.replace(/\/+$/, '')
}

/** The token inline, or the contents of the `file://` URL it names (keeps it out of process lists). */
function apiToken(value: string | undefined): string {
  if (!value) throw new Error('give an API token: --token TOKEN, or CAPD_API_TOKEN')
  if (!value.startsWith('file://')) return value.trim()
  try {
    return readFileSync(new URL(value), 'utf8').trim()
  } catch (err) {
    throw new Error(`cannot read the API token from ${value}: ${(err as Error).message}`)
  }
}
