/**
 * docs/grafana-capd.json cannot drift from what capd exposes: every metric its PromQL names is one
 * the controller or the agent registers, counters are read through rate()/increase(), histograms
 * through histogram_quantile() of their buckets, gauges as they are; the data source is an input.
 */

import { readFile } from 'node:fs/promises'
import { processRegistry } from '@capd/metrics'
import { parseExposition } from '@capd/protocol/testing/exposition'
import { describe, expect, it } from 'vitest'
import { promAgentMetrics } from '../../agent/src/metrics/prom-agent-metrics.js'
import { promControllerMetrics } from '../../controller/src/metrics/prom-controller-metrics.js'
import { emptyData } from '../../controller/src/store/data.js'
import { DocumentStore } from '../../controller/src/store/document-store.js'

interface Target {
  expr: string
  datasource?: { uid?: string }
}
interface Panel {
  type: string
  title: string
  datasource?: { uid?: string }
  targets?: Target[]
  panels?: Panel[]
}

/** Metric families by type, as the two processes declare them. */
async function exposedTypes(): Promise<Map<string, string>> {
  const controller = processRegistry()
  promControllerMetrics(controller, { store: new DocumentStore(emptyData(), null), connectedAgents: () => 0 })
  const agent = processRegistry()
  promAgentMetrics(agent, () => undefined)
  const types = new Map<string, string>()
  for (const registry of [controller, agent]) {
    for (const [name, type] of parseExposition(await registry.metrics()).types) types.set(name, type)
  }
  return types
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's import placeholder, not a JS template
const DATASOURCE = '${DS_PROMETHEUS}'
const METRIC = /\b(?:capd|process|nodejs)_[a-z0-9_]*[a-z0-9]\b/g

/** The family a sample name belongs to, and which of a histogram's series it is. */
function family(name: string, types: Map<string, string>): { family: string; suffix: string } | undefined {
  if (types.has(name)) return { family: name, suffix: '' }
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length)
    if (name.endsWith(suffix) && types.has(base)) return { family: base, suffix }
  }
  return undefined
}

describe('the Grafana dashboard', async () => {
  const dashboard = JSON.parse(
    await readFile(new URL('../../docs/grafana-capd.json', import.meta.url), 'utf8'),
  )
  const panels: Panel[] = dashboard.panels.flatMap((p: Panel) => [p, ...(p.panels ?? [])])
  const queried = panels.filter((p) => p.type !== 'row')

  it('imports with the Prometheus data source as the DS_PROMETHEUS input, on every panel and query', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ])
    expect(typeof dashboard.title).toBe('string')
    expect(typeof dashboard.uid).toBe('string')
    expect(queried.length).toBeGreaterThan(10)
    const ids = panels.map((p: Panel & { id?: number }) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const panel of queried) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE)
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
      for (const target of panel.targets!) expect(target.datasource?.uid, panel.title).toBe(DATASOURCE)
    }
  })

  it('queries only metrics capd exposes, each the way its type must be read', async () => {
    const types = await exposedTypes()
    const used = new Set<string>()
    for (const panel of queried) {
      for (const { expr } of panel.targets!) {
        const names = expr.match(METRIC) ?? []
        expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0)
        for (const name of names) {
          const found = family(name, types)
          expect(found, `${panel.title}: ${name} is not exposed`).toBeDefined()
          used.add(found!.family)
          const type = types.get(found!.family)
          const inRate = new RegExp(`\\b(?:rate|increase)\\(${name}\\b`).test(expr)
          if (type === 'counter') expect(inRate, `${panel.title}: counter ${name} outside rate()`).toBe(true)
          if (type === 'gauge') expect(inRate, `${panel.title}: gauge ${name} in rate()`).toBe(false)
          if (type === 'histogram') {
            expect(found!.suffix, `${panel.title}: ${name}`).toBe('_bucket')
            expect(inRate && expr.includes('histogram_quantile('), `${panel.title}: ${name}`).toBe(true)
          }
        }
      }
    }
    // Every figure capd keeps of its own is on the dashboard somewhere.
    const own = [...types.keys()].filter((name) => name.startsWith('capd_'))
    expect(own.filter((name) => !used.has(name))).toEqual([])
  })
})
