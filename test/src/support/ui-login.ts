/** Logging in through the real forms, as a person would: the operator at /login, a customer at /portal. */
import type { Page } from 'playwright-core'
import { ADMIN, type Customer } from './ui-stack.js'

/** Submits the operator login form; resolves with the HTTP status of the answer to the post. */
export async function submitOperatorLogin(page: Page, username: string, password: string): Promise<number> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  return submit(page, '/login')
}

/** Logs the admin in and waits for the dashboard (or `next`, the page the login was asked for). */
export async function operatorLogin(page: Page, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`)
  await submitOperatorLogin(page, ADMIN.username, ADMIN.password)
  await page.waitForURL((url) => url.pathname === next)
}

/** Submits the portal login form; resolves with the HTTP status of the answer to the post. */
export async function submitPortalLogin(page: Page, login: string, password: string): Promise<number> {
  await page.getByLabel('Login', { exact: true }).fill(login)
  await page.getByLabel('Password').fill(password)
  return submit(page, '/portal')
}

/** Logs `who` in to the portal and waits for the home page. */
export async function portalLogin(page: Page, who: Customer): Promise<void> {
  await page.goto('/portal')
  await submitPortalLogin(page, who.login, who.password)
  await page.getByRole('heading', { level: 1, name: 'Your data' }).waitFor()
}

/** Clicks "Log in" and waits for the server's answer to the post (the next page then loads from it). */
async function submit(page: Page, path: string): Promise<number> {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith(path),
  )
  await page.getByRole('button', { name: 'Log in' }).click()
  const status = (await answered).status()
  await page.waitForLoadState('load')
  return status
}
