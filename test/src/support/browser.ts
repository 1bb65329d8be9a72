/**
 * Debian's chromium driven by playwright-core: whether the browser tests can run here, one browser
 * per test file, and fresh contexts shaped like the people who use capd (an operator at a desk, a
 * customer on a phone).
 */
import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Locator } from 'playwright-core'
import { prerequisite } from './prerequisite.js'

/** `npx playwright install` cannot work offline; capd's tests use the distribution's chromium. */
export const CHROMIUM_PATH = process.env.CAPD_CHROMIUM ?? '/usr/bin/chromium'

const unavailable = existsSync(CHROMIUM_PATH)
  ? undefined
  : `no chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CAPD_CHROMIUM)`
const needs = prerequisite('browser tests', unavailable)
/** Skip where there is no browser, except under CI=true, where that is a failure. */
export const skipBrowser = needs.skip
export const browserTitle = needs.title

/** `args`: more chromium switches, e.g. the keys of a test server's certificate to trust. */
export function launchBrowser(args: readonly string[] = []): Promise<Browser> {
  if (unavailable) return Promise.reject(new Error(`browser tests cannot run: ${unavailable}`))
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-background-networking', ...args],
  })
}

export type Device = 'desktop' | 'phone'

export interface ContextOptions {
  device?: Device
  /**
   * Lets a test inject axe-core into pages whose CSP allows no inline script. Leave it off to see
   * the page as a real browser does, CSP and all.
   */
  bypassCSP?: boolean
}

const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  // An ordinary modern phone: the portal is laid out for this first.
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} as const

export function newContext(
  browser: Browser,
  baseURL: string,
  { device = 'desktop', bypassCSP = false }: ContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({
    ...DEVICES[device],
    baseURL,
    bypassCSP,
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  })
}

/** Waits until `locator` holds `text`; on timeout says what it held instead. */
export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeoutMs = 10_000,
): Promise<void> {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: timeoutMs })
  } catch (error) {
    const held = await locator
      .allInnerTexts()
      .then((texts) => JSON.stringify(texts.join(' | ')))
      .catch(() => '(nothing)')
    throw new Error(
      `waiting for ${String(text)} in ${locator}: it holds ${held}\n${(error as Error).message}`,
    )
  }
}
