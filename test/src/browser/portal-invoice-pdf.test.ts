/**
 * A customer downloads an invoice from the portal in a real browser (the download event, the real
 * controller): the PDF carries the ISP's branding, the line, the tax and the total; the portal's
 * bar and title carry the ISP's name.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser } from '../support/browser.js'
import { pdfText, pdfTextMissing } from '../support/pdf-text.js'
import { solidPng } from '../support/png.js'
import { saveScreenshot, screenshotDir } from '../support/screenshots.js'
import { operatorLogin, portalLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

const noPdfText = pdfTextMissing()

describe.skipIf(skipBrowser || noPdfText)(
  browserTitle(`invoice downloads in the portal${noPdfText ? ` (skipped: ${noPdfText})` : ''}`),
  () => {
    const ui = uiSuite()

    it('an admin uploads a logo through the settings form; the portal bar shows it', async () => {
      const admin = await ui.page()
      await operatorLogin(admin, '/settings/branding')
      await admin.getByLabel('Name', { exact: true }).fill('Skyline Wireless')
      await admin.getByRole('button', { name: 'Save' }).click()
      await admin.getByText('Branding saved.').waitFor()
      await admin.getByLabel('Image file').setInputFiles({
        name: 'logo.png',
        mimeType: 'image/png',
        buffer: solidPng(120, 40, [20, 80, 160]),
      })
      await admin.getByRole('button', { name: 'Upload logo' }).click()
      await admin.getByText('Logo saved (120 × 40 pixels).').waitFor()
      await admin.getByRole('img', { name: 'Your current logo' }).waitFor()
      await saveScreenshot(admin, 'operator-settings-branding')

      const customer = await ui.page({ device: 'phone' })
      await customer.goto('/portal')
      const logo = customer.locator('header img.brand-logo')
      await logo.waitFor()
      // The image loaded: served with its type, under the real CSP (img-src 'self').
      const loaded = await logo.evaluate((img) => {
        const i = img as unknown as { complete: boolean; naturalWidth: number }
        return i.complete ? i.naturalWidth : 0
      })
      expect(loaded).toBe(120)
      await customer.getByRole('banner').getByText('Skyline Wireless').waitFor()
      await saveScreenshot(customer, 'portal-login-branded-phone')
      const checked = await ui.page({ device: 'phone', bypassCSP: true })
      await checked.goto('/portal')
      await expectAccessible(checked, 'the branded portal login page')
    })

    it('a customer downloads their invoice as a PDF with the ISP’s name, the line, tax and total', async () => {
      const { call, seed } = ui.stack
      const branded = await call('PUT', '/settings/branding', {
        name: 'Skyline Wireless',
        supportEmail: 'help@skyline.example',
        postalAddress: ['PO Box 4711', 'Nairobi'],
        taxId: 'P051234567X',
      })
      expect(branded.status).toBe(200)
      const invoices = (await call('GET', `/subscribers/${seed.bongani.id}/invoices`)).body.items
      const invoice = invoices[0]
      expect(invoice).toBeDefined()

      const page = await ui.page({ device: 'phone' })
      await portalLogin(page, seed.bongani)
      expect(await page.title()).toBe('Your data · Skyline Wireless')
      await page.getByRole('banner').getByText('Skyline Wireless').waitFor()
      await page.getByRole('link', { name: 'History', exact: true }).click()
      await page.getByRole('heading', { level: 1, name: 'History', exact: true }).waitFor()

      const link = page.getByRole('link', { name: `Download ${invoice.number}` })
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
      expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`)
      const pdf = new Uint8Array(await readFile(await download.path()))
      // Beside the screenshots: what a customer gets (docs/ with UPDATE_SCREENSHOTS=1).
      await mkdir(screenshotDir(), { recursive: true })
      await download.saveAs(join(screenshotDir(), 'invoice-example.pdf'))
      const text = pdfText(pdf)
      for (const words of [
        'Skyline Wireless',
        'PO Box 4711',
        'Tax id: P051234567X',
        'Invoice',
        invoice.number,
        '2 GB week pass',
        // The week pass carries no tax (taxed lines: controller/src/documents/invoice-pdf.test.ts).
        'Tax $0.00',
        '$9.00',
        'Total $9.00',
        'Login: bongani',
      ]) {
        expect(text).toContain(words)
      }
    })
  },
)
