import { describe, expect, it } from 'vitest'
import { setBranding, setLogo } from '../domain/branding.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { pngImage } from '../testing/images.js'
import { pdfText, pdfTextMissing } from '../testing/pdf-text.js'
import { ANNA, pagesKit } from './portal-pages-test-kit.js'

describe('the ISP’s branding in the portal', () => {
  it('plain words until the ISP names itself; capd only in the footer', async () => {
    const k = await pagesKit()
    const login = (await new BrowserCaller(k.app).get('/portal')).html
    expect(login).toContain('<title>Log in · Your internet provider</title>')
    expect(login).toContain('Powered by capd')
    expect(login.replace('Powered by capd', '')).not.toContain('capd<')
  })

  it('the ISP’s name and logo on the login page, every page’s bar and title', async () => {
    const k = await pagesKit()
    await k.store.transact(async (tx) => {
      await setBranding(tx, k.env, 'system', { name: 'Skyline <Wireless> & Co' })
      await setLogo(tx, k.env, 'system', pngImage(90, 30))
    })
    const login = (await new BrowserCaller(k.app).get('/portal')).html
    expect(login).toContain('<title>Log in · Skyline &lt;Wireless&gt; &amp; Co</title>')
    expect(login).toMatch(/<img class="brand-logo" src="\/brand\/logo-[0-9a-f]{16}\.png" alt=""\/>/)
    const anna = await k.browserFor(ANNA)
    for (const path of ['/portal', '/portal/history']) {
      const page = (await anna.get(path)).html
      expect(page).toContain('<span class="brand-name">Skyline &lt;Wireless&gt; &amp; Co</span>')
      expect(page).toContain(' · Skyline &lt;Wireless&gt; &amp; Co</title>')
      expect(page).toContain('class="brand-logo"')
    }
  })

  it.skipIf(pdfTextMissing())('invoices carry the branding as it is when downloaded', async () => {
    const k = await pagesKit()
    await k.store.transact((tx) =>
      setBranding(tx, k.env, 'system', {
        name: 'Skyline Wireless',
        postalAddress: 'PO Box 4711\nNairobi',
        taxId: 'P051234567X',
        supportEmail: 'help@skyline.example',
      }),
    )
    const invoice = (
      await k.call('POST', `/subscribers/${k.anna.id}/topups`, {
        bytes: 1e9,
        price: { amount: 300, currency: 'USD' },
        chargeTo: 'invoice',
      })
    ).body.invoice
    const anna = await k.browserFor(ANNA)
    const cookie = [...anna.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
    const res = await k.app.request(
      new Request(`http://localhost/portal/invoices/${invoice.id}.pdf`, { headers: { cookie } }),
    )
    const text = pdfText(new Uint8Array(await res.arrayBuffer()))
    for (const words of [
      'Skyline Wireless',
      'PO Box 4711',
      'Tax id: P051234567X',
      'help@skyline.example',
      '$3.00',
    ]) {
      expect(text).toContain(words)
    }
  })
})
