/** Runs planned changes through the session and turns failures into one error that names each of them. */
import { type RouterOsSession, RouterOsTrap } from './api/index.js'
import { type Change, PHASES } from './plan.js'

/** Some changes (or whole subscribers) could not be applied; the rest were. The agent tries again next poll. */
export class RouterOsApplyError extends Error {
  override readonly name = 'RouterOsApplyError'
  constructor(
    where: string,
    /** One line per failed change or problem. */
    readonly failures: readonly string[],
    total: number,
    options?: ErrorOptions,
  ) {
    const shown = failures.slice(0, 5).join('; ')
    const more = failures.length > 5 ? `; and ${failures.length - 5} more` : ''
    super(`${where}: ${failures.length} of ${total} changes failed: ${shown}${more}`, options)
  }
}

export interface Outcome {
  failures: string[]
  /** The first error a call rejected with. */
  cause: unknown
}

/**
 * Phase by phase; the calls of a phase concurrently (the session bounds how many are in flight).
 * A refused command (`!trap`) is that object's problem and the next phase still runs; a lost
 * connection or a timeout stops here, since the next poll lists the router again anyway.
 */
export async function runPhased(session: RouterOsSession, changes: readonly Change[]): Promise<Outcome> {
  const outcome: Outcome = { failures: [], cause: undefined }
  for (const phase of PHASES) {
    const batch = changes.filter((change) => change.phase === phase)
    const results = await Promise.allSettled(batch.map((change) => session.call(change.command, change.args)))
    let connectionLost = false
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return
      outcome.cause ??= result.reason
      outcome.failures.push(`${batch[i]!.what}: ${(result.reason as Error).message}`)
      if (!(result.reason instanceof RouterOsTrap)) connectionLost = true
    })
    if (connectionLost) break
  }
  return outcome
}

/** In order, one at a time; stops at the first failure (a later `place-before` may count on it). */
export async function runInOrder(session: RouterOsSession, changes: readonly Change[]): Promise<void> {
  for (const change of changes) {
    try {
      await session.call(change.command, change.args)
    } catch (error) {
      throw new Error(`${change.what}: ${(error as Error).message}`, { cause: error })
    }
  }
}
