/**
 * An admin edits a notification template in a real browser against the real controller: the
 * preview follows the typing on a real subscriber's figures, the e-mail's HTML shows in its
 * sandboxed frame with its own inline styles under the page's policy (no CSP refusal), a variable
 * that does not exist is pointed out, and the template is saved and reset. The pages pass axe.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { watchPage } from '../support/csp-watch.js'
import { saveScreenshot } from '../support/screenshots.js'
import { operatorLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

const EDIT = '/settings/templates/usage.threshold/email'

describe.skipIf(skipBrowser)(browserTitle('notification templates in a browser'), () => {
  const ui = uiSuite()

  /** Logged in, on the e-mail template of the usage alert. */
  async function editor(options: { bypassCSP?: boolean } = {}): Promise<Page> {
    const page = await ui.page(options)
    await operatorLogin(page, EDIT)
    await page.getByRole('heading', { level: 1, name: /Usage alert/ }).waitFor()
    return page
  }

  it('the preview follows the typing on a real subscriber; the template is saved and reset', async () => {
    const { chen } = ui.stack.seed
    const page = await editor()
    const problems = watchPage(page)
    const form = page.getByRole('form', { name: 'Template' })
    const preview = page.getByRole('region', { name: 'Preview' })

    await form.getByLabel('Preview with the subscriber').fill(chen.login)
    await waitForText(preview, `${chen.name} (${chen.login})`)
    const usage = (await ui.stack.subscriber(chen.id)).usage
    const percent = Math.floor((usage.usedBytes * 100) / usage.limitBytes)

    await form.getByLabel('Subject').fill('{{name}} is at {{percent}}%')
    await waitForText(page.locator('#preview-subject'), `${chen.name} is at ${percent}%`)

    const body = 'Dear {{name}}, <b>hello</b> {{login}}.\n\nHelp: https://help.example.net/data.'
    await form.getByLabel('Message', { exact: true }).fill(body)
    await waitForText(page.locator('#preview-text'), `Dear ${chen.name}, <b>hello</b> ${chen.login}.`)
    const mail = page.frameLocator('#preview-html')
    await waitForText(mail.locator('body'), `Dear ${chen.name}, <b>hello</b> ${chen.login}.`)
    // The value's markup is text in the e-mail, never an element; the address is a link.
    expect(await mail.locator('b').count()).toBe(0)
    const link = mail.getByRole('link', { name: 'https://help.example.net/data' })
    expect(await link.getAttribute('href')).toBe('https://help.example.net/data')
    // The e-mail's inline styles apply: the page's policy allows exactly them, by hash.
    const card = mail.locator('body > div > div').nth(1)
    const radius = await card.evaluate((el) => {
      const frame = globalThis as unknown as { getComputedStyle(e: unknown): { borderTopLeftRadius: string } }
      return frame.getComputedStyle(el).borderTopLeftRadius
    })
    expect(radius).toBe('8px')

    await form.getByLabel('Message', { exact: true }).fill('Dear {{nmae}}')
    await waitForText(preview, 'There is no variable {{nmae}} for this message')
    await form.getByLabel('Message', { exact: true }).fill(body)
    await waitForText(page.locator('#preview-text'), `Dear ${chen.name}`)
    await waitForText(mail.locator('body'), `Dear ${chen.name}`)
    // A frame of another origin out of view is not painted: in view, the picture shows the e-mail.
    await page.locator('#preview-html').scrollIntoViewIfNeeded()
    await saveScreenshot(page, 'operator-settings-template')

    await form.getByRole('button', { name: 'Save template' }).click()
    await waitForText(page.getByRole('status'), 'Template saved.')
    expect(await form.getByLabel('Subject').inputValue()).toBe('{{name}} is at {{percent}}%')
    await waitForText(page.locator('#preview-subject'), `${chen.name} is at ${percent}%`)
    await page.goto('/settings/templates')
    await waitForText(page.getByRole('row', { name: /Usage alert/ }), 'Customised')

    await page.goto(EDIT)
    await page.getByRole('button', { name: 'Reset to default' }).click()
    await waitForText(page.getByRole('status'), 'Template reset')
    expect(await form.getByLabel('Subject').inputValue()).toBe("You've used {{threshold}}% of your data")
    expect(problems.describe()).toBe('')
  })

  it('the list and the editor with a preview pass axe', async () => {
    const page = await editor({ bypassCSP: true })
    await page.getByRole('form', { name: 'Template' }).getByLabel('Subject').fill('Hello {{name}}')
    await waitForText(page.locator('#preview-subject'), 'Hello')
    await expectAccessible(page, 'the template editor')
    await page.goto('/settings/templates')
    await page.getByRole('heading', { level: 1, name: 'Notification templates' }).waitFor()
    await expectAccessible(page, 'the notification templates list')
  })
})
