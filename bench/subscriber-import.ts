/**
 * Cost of a bulk subscriber import against creating the same subscribers one request at a time
 * (the baseline, each its own transaction), on an in-memory store: the dry run, the import, and
 * the same file again (all unchanged). Ratios come from the same run.
 * Standalone: `pnpm tsx bench/subscriber-import.ts`.
 */
import { testApp } from '../controller/src/testing/test-app.js'
import { formatNumber, printTable, ratio } from './table.js'

const SIZES = [1_000, 10_000]

const v4 = (i: number) => `10.${100 + ((i >> 16) & 127)}.${(i >> 8) & 255}.${i & 255}`
const row = (i: number) => ({
  login: `cust${i}`,
  name: `Customer ${i}`,
  email: `cust${i}@example.net`,
  address: v4(i + 1),
  plan: 'Basic 100 GB',
  agent: 'tower-1',
})

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

export async function subscriberImport(): Promise<void> {
  console.log('\nsubscriber import (POST /subscribers/import) against one POST /subscribers per subscriber')
  const table: (string | number)[][] = []
  for (const n of SIZES) {
    const rows = Array.from({ length: n }, (_, i) => row(i))
    const single = await testApp()
    const { plan, agent } = await single.seed()
    const baselineMs = await timed(async () => {
      for (const r of rows) {
        const { plan: _p, agent: _a, ...fields } = r
        const res = await single.call('POST', '/subscribers', {
          ...fields,
          planId: plan.id,
          agentId: agent.id,
        })
        if (res.status !== 201) throw new Error(`baseline create: ${res.status} ${JSON.stringify(res.body)}`)
      }
    })
    const bulk = await testApp()
    await bulk.seed()
    const run = (dryRun: boolean) => async () => {
      const res = await bulk.call('POST', '/subscribers/import', { dryRun, rows })
      if (res.status !== 200)
        throw new Error(`import: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`)
    }
    const dryMs = await timed(run(true))
    const importMs = await timed(run(false))
    const againMs = await timed(run(false))
    for (const [what, ms] of [
      ['one POST each (baseline)', baselineMs],
      ['import, dry run', dryMs],
      ['import', importMs],
      ['import again (unchanged)', againMs],
    ] as const) {
      table.push([
        `${n} rows: ${what}`,
        formatNumber(ms, 0),
        formatNumber((ms * 1000) / n, 0),
        ratio(ms, baselineMs),
      ])
    }
  }
  printTable(['case', 'ms', 'µs/row', 'vs baseline'], table)
}

if (import.meta.url === `file://${process.argv[1]}`) await subscriberImport()
