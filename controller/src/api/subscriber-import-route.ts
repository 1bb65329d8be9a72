/** `POST /subscribers/import`: many subscribers at once, all or nothing, with a report per row. */
import { type ImportRow, importSubscribers, type RowOutcome } from '../domain/subscriber-import.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { ImportBody, ImportRowInput, ImportSubscribers } from './subscriber-import-schemas.js'
import { readJson } from './validate.js'

export type RowReport = RowOutcome & { index: number; line?: number; login?: string }

export interface ImportReport {
  dryRun: boolean
  /** Whether the rows were written (not a dry run, and no row refused). */
  applied: boolean
  counts: Record<RowOutcome['outcome'], number>
  rows: RowReport[]
}

/** Thrown out of the transaction to undo what the rows did (a dry run, or a refused row). */
class Undo {
  constructor(readonly report: ImportReport) {}
}

export function subscriberImportRoute(r: DocumentedRouter, { store, env }: ApiDeps): void {
  r.add(
    {
      method: 'post',
      path: '/subscribers/import',
      summary:
        'Create or update many subscribers by login, in one transaction: every row is checked as a ' +
        'create or edit would be, and any refused row (422, with the report) changes nothing',
      body: ImportSubscribers,
      status: 200,
    },
    async (c) => {
      const { dryRun, rows } = await readJson(c, ImportBody)
      const checked = rows.map((row) => ImportRowInput.safeParse(row))
      const valid = checked.flatMap((result) => (result.success ? [result.data as ImportRow] : []))
      let report: ImportReport
      try {
        report = await store.transact(async (tx) => {
          const outcomes = await importSubscribers(tx, env, c.var.actor, valid)
          const built = buildReport(dryRun, rows, checked, outcomes)
          if (!built.applied) throw new Undo(built)
          return built
        })
      } catch (err) {
        if (!(err instanceof Undo)) throw err
        report = err.report
      }
      if (dryRun || report.applied) return c.json(report)
      const message = `${report.counts.refused} of ${rows.length} rows refused; nothing was changed`
      return c.json({ error: { code: 'rows_refused', message }, ...report }, 422)
    },
  )
}

function buildReport(
  dryRun: boolean,
  rows: readonly unknown[],
  checked: readonly ReturnType<typeof ImportRowInput.safeParse>[],
  outcomes: readonly RowOutcome[],
): ImportReport {
  const counts = { create: 0, update: 0, unchanged: 0, refused: 0 }
  let next = 0
  const reports = checked.map((result, index): RowReport => {
    const outcome: RowOutcome = result.success
      ? outcomes[next++]!
      : {
          outcome: 'refused',
          problems: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }
    counts[outcome.outcome]++
    return { index, ...origin(rows[index]), ...outcome }
  })
  return { dryRun, applied: !dryRun && counts.refused === 0, counts, rows: reports }
}

/** The row's line and login as sent, when they are what they should be, so even a refused row is named. */
function origin(row: unknown): { line?: number; login?: string } {
  if (!row || typeof row !== 'object') return {}
  const { line, login } = row as Record<string, unknown>
  return {
    ...(typeof line === 'number' && Number.isSafeInteger(line) ? { line } : {}),
    ...(typeof login === 'string' ? { login: login.trim() } : {}),
  }
}
