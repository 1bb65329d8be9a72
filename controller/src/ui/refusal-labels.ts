/** A domain refusal that names its field (see fieldRefusal), re-worded with the form's label for that field. */
import { type FieldProblem, Refusal } from '../domain/refusal.js'

const isFieldProblems = (details: unknown): details is FieldProblem[] =>
  Array.isArray(details) &&
  details.length > 0 &&
  details.every((d) => typeof d?.path === 'string' && typeof d?.message === 'string')

/**
 * Runs `run`; a refusal whose details name fields becomes "<label>: <problem>", so the person reads
 * the name of the box to fix (the API's own words name its JSON field instead).
 */
export async function labelRefusals<T>(labels: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (!(err instanceof Refusal) || !isFieldProblems(err.details)) throw err
    const message = err.details.map((d) => `${labels[d.path] ?? d.path}: ${d.message}`).join('; ')
    throw new Refusal(err.code, message, err.details)
  }
}
