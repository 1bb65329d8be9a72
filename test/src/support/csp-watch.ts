/**
 * Collects what a page's Content-Security-Policy refused, as the browser reports it on the console,
 * plus uncaught script errors: a page that works only with the CSP bypassed is a broken page.
 */
import type { Page } from 'playwright-core'

export interface PageProblems {
  /** Console messages about the Content Security Policy. */
  readonly csp: string[]
  /** Uncaught exceptions in the page's own scripts. */
  readonly errors: string[]
  /** Both, one per line, for an assertion message. */
  describe(): string
}

export function watchPage(page: Page): PageProblems {
  const csp: string[] = []
  const errors: string[] = []
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) csp.push(message.text())
  })
  page.on('pageerror', (error) => {
    errors.push(error.message)
  })
  return {
    csp,
    errors,
    describe: () => [...csp.map((t) => `CSP: ${t}`), ...errors.map((t) => `error: ${t}`)].join('\n'),
  }
}
