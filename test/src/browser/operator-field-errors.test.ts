/**
 * A refused form in a real browser: an operator posts a new top-up plan with two bad fields (the
 * data amount and the price); the page comes back with each problem visible beside its field, the
 * field marked invalid and described by that problem, and the good field as typed.
 */
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { operatorLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

/** The text a screen reader reads as the control's description: its aria-describedby targets. */
async function description(page: Page, control: Locator): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean)
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()))
  return texts.join(' ')
}

describe.skipIf(skipBrowser)(browserTitle('a refused form in a browser'), () => {
  const ui = uiSuite()

  it('shows both problems beside their fields, and keeps what was typed', async () => {
    const page = await ui.page()
    await operatorLogin(page, '/topup-plans')
    const form = page.getByRole('form', { name: 'New top-up plan' })
    await form.getByLabel('Name').fill('Weekend pass')
    await form.getByLabel('Data amount', { exact: true }).fill('lots')
    await form.getByLabel('Data amount (unit)').selectOption('GB')
    await form.getByLabel('Price').fill('free')
    await form.getByRole('button', { name: 'Create top-up plan' }).click()

    await waitForText(page.getByRole('alert'), 'Check the 2 fields marked below.')
    const refused = page.getByRole('form', { name: 'New top-up plan' })
    for (const [label, message] of [
      ['Data amount', 'Enter the data amount as a number, e.g. 5 or 1.5.'],
      ['Price', 'Enter an amount such as 10.00.'],
    ] as const) {
      const control = refused.getByLabel(label, { exact: true })
      expect(await control.getAttribute('aria-invalid'), label).toBe('true')
      expect(await description(page, control), label).toContain(message)
      // Beside it: the message is shown in the field's own box, between its label and the control.
      const field = refused.locator('.field', { has: page.getByLabel(label, { exact: true }) })
      const shown = field.locator('.field-error')
      expect(await shown.isVisible(), label).toBe(true)
      expect(await shown.textContent(), label).toContain(message)
      const [labelBox, messageBox, controlBox] = await Promise.all([
        field.locator('label').first().boundingBox(),
        shown.boundingBox(),
        control.boundingBox(),
      ])
      expect(messageBox!.y, label).toBeGreaterThanOrEqual(labelBox!.y + labelBox!.height - 1)
      expect(messageBox!.y + messageBox!.height, label).toBeLessThanOrEqual(controlBox!.y + 1)
    }
    expect(await refused.getByLabel('Name').getAttribute('aria-invalid')).toBeNull()
    expect(await refused.getByLabel('Name').inputValue()).toBe('Weekend pass')
    expect(await refused.getByLabel('Data amount', { exact: true }).inputValue()).toBe('lots')
  })
})
