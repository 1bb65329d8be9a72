/**
 * The frame of a browser test file: one UI stack and one browser for the file, a fresh context for
 * every page a test opens (so no cookie leaks from test to test), and on a failure the pages'
 * pictures and the processes' output, to see what the test saw.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { type ContextOptions, launchBrowser, newContext } from './browser.js'
import { saveFailurePictures } from './screenshots.js'
import { createUiStack, type UiStack, type UiStackOptions } from './ui-stack.js'

export interface UiSuite {
  readonly stack: UiStack
  readonly browser: Browser
  /** A new page in a new context (desktop unless told otherwise), closed after the test. */
  page(options?: ContextOptions): Promise<Page>
}

export function uiSuite(options: UiStackOptions = {}): UiSuite {
  let stack: UiStack | undefined
  let browser: Browser | undefined
  let contexts: BrowserContext[] = []

  beforeAll(async () => {
    const [s, b] = await Promise.allSettled([createUiStack(options), launchBrowser()])
    if (s.status === 'fulfilled') stack = s.value
    if (b.status === 'fulfilled') browser = b.value
    if (s.status === 'rejected') throw s.reason
    if (b.status === 'rejected') throw b.reason
  })
  afterEach(async ({ task }) => {
    const open = contexts
    contexts = []
    if (task.result?.state === 'fail') {
      const dir = await saveFailurePictures(task.name, open)
      console.error(`pictures of the failed test in ${dir}\n${stack?.logs().slice(-4000) ?? ''}`)
    }
    await Promise.all(open.map((c) => c.close()))
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.destroy()
  })

  return {
    get stack() {
      if (!stack) throw new Error('the UI stack is not running (did beforeAll fail?)')
      return stack
    },
    get browser() {
      if (!browser) throw new Error('the browser is not running (did beforeAll fail?)')
      return browser
    },
    async page(contextOptions) {
      const context = await newContext(this.browser, this.stack.baseUrl, contextOptions)
      contexts.push(context)
      return context.newPage()
    },
  }
}
