/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests of the controller's
 * and the agent's `/metrics`: every line must be a HELP, a TYPE or a sample of a declared family,
 * with well-formed names, labels and values, and no series twice. Throws on the first fault.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Exposition {
  samples: Sample[]
  /** Family name → its declared type. */
  types: Map<string, string>
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`
/** As Prometheus reads them (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
const VALUE = '([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?[Ii][Nn][Ff]|[Nn][Aa][Nn])'
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? ${VALUE}(?: -?\\d+)?$`)
const LABELS = new RegExp(LABEL, 'g')
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
/** Samples a histogram or summary family writes besides its own name. */
const SUFFIXES = ['_bucket', '_sum', '_count']

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  const seen = new Set<string>()
  const lines = text.split('\n')
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline')
  lines.pop()
  lines.forEach((line, i) => {
    const fault = (why: string) => new Error(`line ${i + 1} ${why}: ${JSON.stringify(line)}`)
    // The format allows empty lines between families.
    if (line === '') return
    if (line.startsWith('# HELP ')) {
      if (!new RegExp(`^# HELP ${NAME} `).test(line)) throw fault('is a malformed HELP')
      return
    }
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ')
      if (!name || !new RegExp(`^${NAME}$`).test(name) || !TYPES.has(type ?? '')) {
        throw fault('is a malformed TYPE')
      }
      if (types.has(name)) throw fault('declares a family twice')
      types.set(name, type!)
      return
    }
    const match = SAMPLE.exec(line)
    if (!match) throw fault('is not a sample')
    const name = match[1]!
    const labels: Record<string, string> = {}
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABELS)) {
      if (key! in labels) throw fault(`repeats label ${key}`)
      labels[key!] = raw!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))
    }
    if (!types.has(familyOf(name, types))) throw fault('has no TYPE before it')
    const series = `${name}{${Object.keys(labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(labels[k])}`)
      .join(',')}}`
    if (seen.has(series)) throw fault('repeats a series')
    seen.add(series)
    samples.push({ name, labels, value: numberOf(match[5]!) })
  })
  return { samples, types }
}

function numberOf(text: string): number {
  if (/inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  return /^nan$/i.test(text) ? Number.NaN : Number(text)
}

function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name
  for (const suffix of SUFFIXES) {
    const family = name.slice(0, -suffix.length)
    if (name.endsWith(suffix) && types.has(family)) return family
  }
  return name
}

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  if (found.length > 1) throw new Error(`${found.length} series of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value ?? 0
}
