/**
 * Accessibility checks with axe-core against WCAG 2.1 A and AA. The page's CSP forbids inline
 * script, so axe is injected only into contexts made with `bypassCSP: true`.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa']

interface AxeNode {
  target: unknown[]
  failureSummary?: string
}

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  helpUrl: string
  nodes: AxeNode[]
}

/** Violations of WCAG 2.1 A/AA on the page as it is now; `[]` when there are none. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in globalThis)
  if (!loaded) {
    try {
      await page.addScriptTag({ content: axeSource })
    } catch (error) {
      throw new Error(
        `could not inject axe-core (was the context made with bypassCSP: true?): ${(error as Error).message}`,
      )
    }
  }
  return page.evaluate(async (tags) => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the injected script defines
    const { axe, document } = globalThis as any
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    })
    return result.violations.map((v: AxeViolation) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }))
  }, TAGS)
}

/** One readable block per violation: rule, impact, what it asks for, and the elements that break it. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.map(String).join(' ')}`).join('\n')
      return `- ${v.id} (${v.impact ?? 'no impact given'}): ${v.help}\n  ${v.helpUrl}\n${nodes}`
    })
    .join('\n')
}

/** Fails naming every violation when `page` breaks a WCAG 2.1 A/AA rule axe can check. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await axeViolations(page)
  if (violations.length > 0) {
    throw new Error(
      `${what} (${page.url()}) has ${violations.length} accessibility violation(s):\n${describeViolations(violations)}`,
    )
  }
}
