/** The rules the agent skips at the router: kept as the latest list, told to the controller when it changes. */
import { MAX_PROBLEMS, PROTOCOL_VERSION, type Problems, RuleProblem } from '@capd/protocol'

export class ProblemReport {
  private current: RuleProblem[] = []
  private key = '[]'
  private skipped = new Set<string>()

  /** Takes the list of the latest apply; returns the problems that are new since the one before (none: unchanged). */
  update(skipped: readonly RuleProblem[]): { changed: boolean; added: RuleProblem[] } {
    this.skipped = new Set(skipped.map((problem) => problem.subscriberId))
    // Only what the controller can read: a problem naming an id the wire refuses would get the whole report refused.
    const next = skipped.filter((problem) => RuleProblem.safeParse(problem).success)
    const key = JSON.stringify(next)
    if (key === this.key) return { changed: false, added: [] }
    const before = new Set(this.current.map((problem) => JSON.stringify(problem)))
    this.current = next
    this.key = key
    return { changed: true, added: next.filter((problem) => !before.has(JSON.stringify(problem))) }
  }

  /** Subscribers whose rule was skipped by the latest apply. */
  skippedIds(): ReadonlySet<string> {
    return this.skipped
  }

  get empty(): boolean {
    return this.current.length === 0
  }

  message(atMs: number): Problems {
    const listed = this.current.slice(0, MAX_PROBLEMS)
    const omitted = this.current.length - listed.length
    return {
      v: PROTOCOL_VERSION,
      type: 'problems',
      atMs,
      problems: listed,
      ...(omitted > 0 ? { omitted } : {}),
    }
  }
}
