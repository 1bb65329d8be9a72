import { describe, expect, it } from 'vitest'
import { jpegImage, pngImage } from '../testing/images.js'
import { checkLogo, LOGO_MAX_BYTES } from './logo-image.js'
import { Refusal } from './refusal.js'

const refusal = (bytes: Uint8Array) => {
  try {
    checkLogo(bytes)
  } catch (err) {
    if (err instanceof Refusal) return err
    throw err
  }
  throw new Error('accepted')
}

describe('logo check', () => {
  it('takes PNG and JPEG by their bytes, with their size in pixels', () => {
    expect(checkLogo(pngImage(120, 40))).toEqual({ contentType: 'image/png', widthPx: 120, heightPx: 40 })
    expect(checkLogo(jpegImage(300, 100))).toEqual({ contentType: 'image/jpeg', widthPx: 300, heightPx: 100 })
  })

  it('refuses SVG, GIF, HTML and anything else, naming the field', () => {
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    )
    const gif = new TextEncoder().encode('GIF89a\x10\x00\x10\x00')
    for (const bytes of [svg, gif, new TextEncoder().encode('<html>'), new Uint8Array([0])]) {
      const err = refusal(bytes)
      expect(err.code).toBe('invalid_request')
      expect(err.details).toEqual([{ path: 'logo', message: expect.stringContaining('PNG or JPEG') }])
    }
    expect(refusal(new Uint8Array()).message).toContain('empty')
  })

  it('refuses files too large, sides too small or too big, and banners', () => {
    expect(refusal(new Uint8Array(LOGO_MAX_BYTES + 1)).message).toContain('at most 200 KB')
    expect(refusal(pngImage(8, 8)).message).toContain('8 × 8 pixels')
    expect(refusal(pngImage(4000, 100)).message).toContain('4000 × 100')
    expect(refusal(pngImage(1000, 20)).message).toContain('at most 10 times wider')
    expect(refusal(jpegImage(0, 100)).message).toContain('0 × 100')
  })

  it('refuses a file cut short or damaged anywhere, and never throws anything but a refusal', () => {
    const png = pngImage(64, 64, { noise: true })
    const jpeg = jpegImage(64, 64)
    for (const good of [png, jpeg]) {
      for (let n = 0; n < 200; n++) {
        const cut = good.slice(0, Math.floor(Math.random() * good.byteLength))
        expect(refusal(cut)).toBeInstanceOf(Refusal)
      }
    }
    // Random damage: either still a decodable image of sane size, or a refusal; nothing else.
    for (let n = 0; n < 300; n++) {
      const bad = png.slice()
      const at = 8 + Math.floor(Math.random() * (bad.byteLength - 8))
      bad[at] = (bad[at]! + 1 + Math.floor(Math.random() * 255)) % 256
      try {
        const image = checkLogo(bad)
        expect(image.contentType).toBe('image/png')
      } catch (err) {
        expect(err).toBeInstanceOf(Refusal)
      }
    }
  })
})
