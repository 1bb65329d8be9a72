/**
 * Small checks that run inside the page (page.evaluate). The repository compiles without the DOM
 * library, so the page's globals are reached through `globalThis` cast to the little they need.
 */
import type { Page } from 'playwright-core'

/** What the functions below touch of the page's DOM. */
export interface InPageElement {
  id: string
  tagName: string
  textContent: string | null
  getAttribute(name: string): string | null
  append(child: InPageElement): void
}

export interface InPageGlobals {
  document: {
    activeElement: InPageElement | null
    body: InPageElement
    createElement(tag: string): InPageElement
  }
  [name: string]: unknown
}

/** The element that has keyboard focus: `tag#id label-or-text`, or `body` when nothing has it. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = (globalThis as unknown as InPageGlobals).document.activeElement
    if (!el || el.tagName === 'BODY') return 'body'
    const label = el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${label}`.trim()
  })
}

/**
 * Leaves a mark in the page's JavaScript world; `sameDocument` finds it only if the page was never
 * reloaded or navigated away from since (a live update must not do either).
 */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    ;(globalThis as unknown as InPageGlobals).capdTestMark = 'same document'
  })
}

export function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as InPageGlobals).capdTestMark === 'same document')
}
