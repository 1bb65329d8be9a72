import { describe, expect, it } from 'vitest'
import { jpegImage, pngImage } from '../testing/images.js'
import { TEST_TOKEN, testApp } from '../testing/test-app.js'

// biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
const json = async (res: Response): Promise<any> => res.json()

const put = (t: Awaited<ReturnType<typeof testApp>>, path: string, body: Uint8Array, type: string) =>
  t.app.request(
    new Request(`http://localhost/api/v1${path}`, {
      method: 'PUT',
      body: Buffer.from(body),
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': type },
    }),
  )

describe('branding API', () => {
  it('answers the defaults, then what was set; a field left out is cleared', async () => {
    const t = await testApp()
    const empty = await t.call('GET', '/settings/branding')
    expect(empty.body).toEqual({
      name: 'Your internet provider',
      named: false,
      supportEmail: null,
      supportPhone: null,
      postalAddress: [],
      taxId: null,
      logo: null,
    })
    const set = await t.call('PUT', '/settings/branding', {
      name: 'Skyline',
      supportEmail: 'help@skyline.example',
      postalAddress: ['PO Box 1', 'Nairobi'],
      taxId: 'P051234567X',
    })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ name: 'Skyline', named: true, postalAddress: ['PO Box 1', 'Nairobi'] })
    const again = await t.call('PUT', '/settings/branding', { name: 'Skyline 2' })
    expect(again.body).toMatchObject({
      name: 'Skyline 2',
      supportEmail: null,
      taxId: null,
      postalAddress: [],
    })
  })

  it('refuses bad input with each field named, and changes nothing', async () => {
    const t = await testApp()
    await t.call('PUT', '/settings/branding', { name: 'Skyline' })
    const bad = await t.call('PUT', '/settings/branding', {
      name: '',
      supportEmail: 'nope',
      postalAddress: 7,
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_request')
    const paths = bad.body.error.details.map((d: { path: string }) => d.path)
    expect(paths).toEqual(expect.arrayContaining(['name', 'supportEmail', 'postalAddress']))
    expect((await t.call('PUT', '/settings/branding', 'not json')).status).toBe(400)
    expect((await t.call('GET', '/settings/branding')).body.name).toBe('Skyline')
  })

  it('takes the logo as the raw image body, refuses another type or a lie, and removes it', async () => {
    const t = await testApp()
    const png = await put(t, '/settings/branding/logo', pngImage(64, 32), 'image/png')
    expect(png.status).toBe(200)
    expect((await json(png)).logo).toMatchObject({ contentType: 'image/png', widthPx: 64, heightPx: 32 })
    const jpeg = await put(t, '/settings/branding/logo', jpegImage(200, 100), 'image/jpeg')
    const { logo } = await json(jpeg)
    expect(logo).toMatchObject({
      contentType: 'image/jpeg',
      url: expect.stringMatching(/^\/brand\/logo-[0-9a-f]{16}\.jpg$/),
    })
    const svg = new TextEncoder().encode('<svg/>')
    expect((await put(t, '/settings/branding/logo', svg, 'image/svg+xml')).status).toBe(415)
    // The type comes from the bytes: an SVG sent as a PNG is still refused.
    const lie = await put(t, '/settings/branding/logo', svg, 'image/png')
    expect(lie.status).toBe(400)
    expect((await json(lie)).error.details).toEqual([
      { path: 'logo', message: expect.stringContaining('PNG or JPEG') },
    ])
    expect((await t.call('GET', '/settings/branding')).body.logo.url).toBe(logo.url)
    const over = await put(t, '/settings/branding/logo', new Uint8Array(300 * 1024), 'image/png')
    expect(over.status).toBe(413)
    const removed = await t.call('DELETE', '/settings/branding/logo')
    expect(removed.body.logo).toBeNull()
    expect((await t.app.request(new Request(`http://localhost${logo.url}`))).status).toBe(404)
  })

  it('needs a token', async () => {
    const t = await testApp()
    const res = await t.app.request(new Request('http://localhost/api/v1/settings/branding'))
    expect(res.status).toBe(401)
  })
})
