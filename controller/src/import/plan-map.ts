/** `--map-plan "Their name=Our plan"`: the plan another system's tariff (or rate pair) becomes. */
import type { ImportOptions } from './import-rows.js'

/** Parses the repeated option; throws on one without `=` or with an empty side, or a name given twice. */
export function parsePlanMap(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>()
  for (const value of values) {
    const at = value.indexOf('=')
    const from = value.slice(0, at).trim()
    const to = value.slice(at + 1).trim()
    if (at < 0 || !from || !to) throw new Error(`--map-plan "${value}": give "Their plan=Our plan"`)
    if (map.has(mapKey(from))) throw new Error(`--map-plan: "${from}" is mapped twice`)
    map.set(mapKey(from), to)
  }
  return map
}

/** Names match case and spaces aside; "100/20" and "100.0 / 20" are the same rate pair. */
export function mapKey(name: string): string {
  const rates = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(name)
  if (rates) return `${Number(rates[1])}/${Number(rates[2])}`
  return name.trim().toLowerCase().replace(/\s+/g, ' ')
}

/** The plan a row names, through the map; an unnamed one is --plan's; undefined when neither. */
export function mappedPlan(name: string, options: ImportOptions): string | undefined {
  if (!name) return options.plan
  return options.planMap.get(mapKey(name)) ?? name
}
