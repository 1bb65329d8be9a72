/** A domain refusal that names its field (see fieldRefusal), re-worded with the form's label for that field. */
import { ApiError } from '../errors.js'

interface FieldProblem {
  path: string
  message: string
}

const isFieldProblems = (details: unknown): details is FieldProblem[] =>
  Array.isArray(details) &&
  details.length > 0 &&
  details.every((d) => typeof d?.path === 'string' && typeof d?.message === 'string')

/**
 * Runs `run`; a 4xx whose details name fields becomes "<label>: <problem>", so the person reads
 * the name of the box to fix (the API's own words name its JSON field instead).
 */
export async function labelRefusals<T>(labels: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500 || !isFieldProblems(err.details)) throw err
    const message = err.details.map((d) => `${labels[d.path] ?? d.path}: ${d.message}`).join('; ')
    throw new ApiError(err.status, err.code, message, err.details)
  }
}
