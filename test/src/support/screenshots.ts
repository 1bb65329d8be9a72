/**
 * Full-page screenshots taken where the browser tests reach a page anyway. By default they go to
 * `.tmp/screenshots` (to look at after a run); with UPDATE_SCREENSHOTS=1 they replace the ones the
 * README shows, in `docs/screenshots`, under stable names.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export type ScreenshotName =
  | 'operator-dashboard'
  | 'operator-subscribers'
  | 'operator-subscriber'
  | 'operator-agents'
  | 'operator-plans'
  | 'operator-staff'
  | 'operator-audit'
  | 'portal-login-phone'
  | 'portal-home-phone'
  | 'portal-topup-restored-phone'
  | 'operator-settings-branding'
  | 'operator-settings-template'
  | 'portal-login-branded-phone'
  | 'portal-usage-banner-phone'
  | 'portal-alerts-phone'
  | 'portal-usage-history-phone'

export const screenshotDir = () =>
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs', 'screenshots')
    : join(REPO_ROOT, '.tmp', 'screenshots')

/** Pictures of the pages a failed test left open (never in docs). */
export const failureDir = () => join(REPO_ROOT, '.tmp', 'failures')

/** Full-page pictures of every page open in `contexts`, named for the failed test; returns their folder. */
export async function saveFailurePictures(
  testName: string,
  contexts: readonly BrowserContext[],
): Promise<string> {
  const dir = failureDir()
  await mkdir(dir, { recursive: true })
  const pages = contexts.flatMap((c) => c.pages())
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
  await Promise.all(
    pages.map((p, i) =>
      p.screenshot({ path: join(dir, `${slug}-${i}.png`), fullPage: true }).catch(() => {}),
    ),
  )
  return dir
}

/** Saves `<name>.png` of the whole page and returns its path. */
export async function saveScreenshot(page: Page, name: ScreenshotName): Promise<string> {
  const dir = screenshotDir()
  await mkdir(dir, { recursive: true })
  const path = join(dir, `${name}.png`)
  // Hidden caret and no animations: the same page gives the same picture.
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' })
  return path
}
