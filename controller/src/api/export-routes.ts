/** CSV downloads for the ISP's accountant: invoices, payments and credit notes in a date range. */
import { startOfLocalDay } from '@capd/protocol'
import { z } from 'zod'
import { accountingExport, type DateRange, type ExportName } from '../domain/accounting-export.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { readQuery } from './validate.js'

export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'is not a calendar date',
  )

export const ExportQuery = z
  .strictObject({ from: Day, to: Day })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })

/** Both days included, in the controller's zone. */
export function dayRange(from: string, to: string, timeZone: string): DateRange {
  const start = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number]
    return startOfLocalDay(y, m, d, timeZone)
  }
  const after = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  return { fromMs: start(from), toMs: start(after) }
}

export const EXPORTS: readonly ExportName[] = ['invoices', 'payments', 'credit-notes']

export function exportRoutes(r: DocumentedRouter, { store, env }: ApiDeps): void {
  for (const name of EXPORTS) {
    r.add(
      {
        method: 'get',
        path: `/exports/${name}.csv`,
        summary: `CSV of ${name.replace('-', ' ')} for ?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included, controller's zone)`,
        status: 200,
      },
      async (c) => {
        const q = readQuery(c, ExportQuery)
        const range = dayRange(q.from, q.to, env.timeZone)
        const csv = await store.transact((tx) => accountingExport(tx, name, range))
        return c.body(csv, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="capd-${name}-${q.from}-${q.to}.csv"`,
        })
      },
    )
  }
}
