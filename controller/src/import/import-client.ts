/** The import's one call to the controller: POST /api/v1/subscribers/import with the rows. */
import type { ImportReport } from '../api/subscriber-import-route.js'
import { IMPORT_PATH } from '../http/body-cap.js'
import type { WireRow } from './import-rows.js'

/** What stops an import before any row is looked at: the controller is unreachable or refuses the call. */
export class ControllerError extends Error {}

/** The report (200: all good or a dry run; 422: rows refused, nothing changed). */
export async function postImport(
  url: string,
  token: string,
  body: { dryRun: boolean; rows: WireRow[] },
  fetchImpl: typeof fetch = fetch,
): Promise<ImportReport> {
  let res: Response
  try {
    res = await fetchImpl(`${url}${IMPORT_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message
    throw new ControllerError(`cannot reach the controller at ${url}: ${cause}`)
  }
  const text = await res.text()
  let answer: { error?: { message?: string } } & Partial<ImportReport>
  try {
    answer = JSON.parse(text)
  } catch {
    // The controller answers its own 413 in JSON; a page instead is a proxy's limit (nginx's 1 MiB default).
    if (res.status === 413)
      throw new ControllerError(
        'the proxy in front of capd refused the file as too large: raise client_max_body_size for ' +
          `${IMPORT_PATH} (see the nginx example, docs/nginx-capd.conf)`,
      )
    throw new ControllerError(`${url} answered ${res.status} with no capd report: is it a capd controller?`)
  }
  if ((res.status === 200 || res.status === 422) && Array.isArray(answer.rows)) return answer as ImportReport
  if (res.status === 401)
    throw new ControllerError(`the controller refused the API token: ${answer.error?.message}`)
  throw new ControllerError(
    `the controller answered ${res.status}: ${answer.error?.message ?? text.slice(0, 200)}`,
  )
}
