/**
 * What a test needs from the machine: root and namespaces, a program, a server. Where it is missing
 * the test is skipped and says why; under CI=true it runs anyway, and fails on what is missing.
 */
export interface Prerequisite {
  /** Something is missing and this is not CI. */
  readonly skip: boolean
  /** A suite's title, with why it is skipped when it is. */
  title(name: string): string
}

/** `what`: the tests, as the warning names them; `unavailable`: why they cannot run here, if so. */
export function prerequisite(what: string, unavailable: string | undefined): Prerequisite {
  const skip = unavailable !== undefined && process.env.CI !== 'true'
  if (skip) console.warn(`${what} skipped: ${unavailable}`)
  return { skip, title: (name) => (skip ? `${name} (skipped: ${unavailable})` : name) }
}
