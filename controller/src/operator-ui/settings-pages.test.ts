import { describe, expect, it } from 'vitest'
import { branding } from '../domain/branding.js'
import { refusalIn } from '../testing/field-marks.js'
import { pngImage } from '../testing/images.js'
import { staffTestKit } from './staff-test-kit.js'

const GOOD = {
  name: 'Skyline Wireless',
  supportEmail: 'help@skyline.example',
  supportPhone: '+254 700 000 111',
  postalAddress: 'PO Box 4711\r\n\r\nNairobi  ',
  taxId: 'P051234567X',
}

/** Posts the logo form as a browser does: multipart, with the page's CSRF token. */
async function uploadLogo(
  k: Awaited<ReturnType<typeof staffTestKit>>,
  cookie: string,
  csrf: string,
  bytes: Uint8Array,
  type = 'image/png',
) {
  const form = new FormData()
  form.set('_csrf', csrf)
  form.set('logo', new File([Buffer.from(bytes)], 'logo.png', { type }))
  const res = await k.app.request(
    new Request('http://localhost/settings/branding/logo', {
      method: 'POST',
      body: form,
      headers: { cookie, accept: 'text/html', origin: 'http://localhost' },
      redirect: 'manual',
    }),
  )
  return res
}

describe('branding settings page', () => {
  it('an admin saves the branding; the settings index lists it; the audit log names the admin', async () => {
    const k = await staffTestKit()
    const { browser, post } = await k.sessionOf(k.admin.id)
    expect((await browser.get('/settings')).html).toContain('href="/settings/branding"')
    expect((await browser.get('/')).html).toContain('href="/settings"')
    const reply = await post('/settings/branding', GOOD)
    expect(reply.status).toBe(303)
    const saved = await k.store.peek((tx) => branding(tx))
    expect(saved).toMatchObject({ ...GOOD, named: true, postalAddress: ['PO Box 4711', 'Nairobi'] })
    expect(k.data.audit.at(-1)).toMatchObject({ actor: `user:${k.admin.id}`, action: 'branding.update' })
    const page = (await browser.get('/settings/branding')).html
    expect(page).toContain('value="Skyline Wireless"')
    expect(page).toContain('PO Box 4711\nNairobi</textarea>')
  })

  it('refuses bad fields in plain words and changes nothing', async () => {
    const k = await staffTestKit()
    const { browser, post } = await k.sessionOf(k.admin.id)
    await post('/settings/branding', GOOD)
    const before = await k.store.peek((tx) => branding(tx))
    const bad: [Record<string, string>, string][] = [
      [{ ...GOOD, name: '   ' }, 'Enter the name customers know you by'],
      [{ ...GOOD, name: 'x'.repeat(101) }, 'The name may be at most 100 characters'],
      [{ ...GOOD, name: 'Evil\u202egpj.exe' }, 'The name may not contain'],
      [{ ...GOOD, supportEmail: 'not-an-address' }, 'Enter an e-mail address'],
      [{ ...GOOD, supportPhone: 'call us' }, 'Enter a phone number'],
      [{ ...GOOD, postalAddress: 'a\nb\nc\nd\ne\nf\ng' }, 'at most 6 lines'],
      [{ ...GOOD, taxId: '<script>' }, 'The tax id may have letters'],
    ]
    for (const [form, words] of bad) {
      const reply = await post('/settings/branding', form)
      expect(reply.status).toBe(303)
      expect(refusalIn((await browser.get(reply.location!)).html)).toContain(words)
      expect(await k.store.peek((tx) => branding(tx))).toEqual(before)
    }
  })

  it('only admins see the page and may change it', async () => {
    const k = await staffTestKit()
    for (const role of ['billing', 'support'] as const) {
      const member = await k.addAccount(`${role}-person`, role)
      const { browser, post } = await k.sessionOf(member.id)
      expect((await browser.get('/settings/branding')).status).toBe(403)
      expect((await browser.get('/')).html).not.toContain('href="/settings"')
      expect((await post('/settings/branding', GOOD)).status).toBe(403)
      expect((await post('/settings/branding/logo/remove')).status).toBe(403)
    }
    expect((await k.store.peek((tx) => branding(tx))).named).toBe(false)
  })

  it('uploads a logo as multipart over the usual body limit, serves it cacheable, and refuses an SVG', async () => {
    const k = await staffTestKit()
    const { browser, csrf } = await k.sessionOf(k.admin.id)
    const cookie = [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
    // Noise does not compress: a file over the app's 64 KiB default body limit, under the logo's 200 KB.
    const png = pngImage(150, 150, { noise: true })
    expect(png.byteLength).toBeGreaterThan(64 * 1024)
    const res = await uploadLogo(k, cookie, csrf, png)
    expect(res.status).toBe(303)
    const logo = (await k.store.peek((tx) => branding(tx))).logo!
    expect(logo).toMatchObject({ contentType: 'image/png', widthPx: 150, heightPx: 150 })
    const page = (await browser.get('/settings/branding')).html
    const url = /src="(\/brand\/logo-[0-9a-f]+\.png)"/.exec(page)![1]!
    const served = await k.app.request(new Request(`http://localhost${url}`))
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(served.headers.get('cache-control')).toContain('immutable')
    expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(png))).toBe(true)

    // An SVG claiming to be a PNG is refused by its bytes; the logo stays.
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    const refused = await uploadLogo(k, cookie, csrf, svg)
    expect(refused.status).toBe(303)
    for (const line of refused.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, value] = pair!.split('=')
      browser.cookies.set(name!, value!)
    }
    expect((await browser.get('/settings/branding')).html).toContain('upload a PNG or JPEG image')
    expect((await k.store.peek((tx) => branding(tx))).logo?.sha256).toBe(logo.sha256)

    const removed = await browser.post('/settings/branding/logo/remove', { _csrf: csrf })
    expect(removed.status).toBe(303)
    expect((await k.store.peek((tx) => branding(tx))).logo).toBeUndefined()
    expect((await k.app.request(new Request(`http://localhost${url}`))).status).toBe(404)
  })
})
