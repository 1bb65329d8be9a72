import { describe, expect, it } from 'vitest'
import { bannerIn, fieldMarksIn } from '../testing/field-marks.js'
import { checkFieldsText } from '../ui/form-refusal.js'
import { FORM_CASES, type FormCase, postForm, shownIn } from './field-errors-test-kit.js'
import { subscriberTestKit } from './subscriber-test-kit.js'

/** Words of zod, of JavaScript or of an API that must never reach a person's page. */
const LIBRARY_WORDS = /expected|received|invalid input|nan|undefined|zod/i

/** Never carried back: the box stays empty (see form-refill.ts). */
const secret = (name: string) => name.toLowerCase().includes('password')

describe.each(FORM_CASES)('the $name form, refused', (c: FormCase) => {
  it('marks every bad field at once, beside it, and keeps what was typed in the good ones', async () => {
    const k = await subscriberTestKit()
    const good = c.good(k)
    const before = k.snapshot()
    const reply = await postForm(k, c, { ...good, ...c.bad })
    expect(reply.status).toBe(303)
    expect(k.snapshot()).toBe(before)

    const html = (await k.browser.get(c.page(k))).html
    expect(bannerIn(html)).toBe(checkFieldsText(c.marked.length))
    const marks = fieldMarksIn(html, c.titleId)
    expect(marks.map((m) => m.name).sort()).toEqual([...c.marked].sort())
    for (const mark of marks) {
      expect(mark.label, mark.name).toBeTruthy()
      expect(mark.message, mark.name).toMatch(/^[A-Z"].{4,}[.]$/)
      expect(mark.message, mark.name).not.toMatch(LIBRARY_WORDS)
    }
    // No other form on the page is marked.
    expect(fieldMarksIn(html)).toHaveLength(marks.length)
    for (const [name, value] of Object.entries(good)) {
      if (name in c.bad || secret(name)) continue
      expect(shownIn(html, c.titleId, name), name).toBe(value)
    }
    // Shown once: the next visit is a fresh form.
    expect(fieldMarksIn((await k.browser.get(c.page(k))).html)).toEqual([])
  })
})

/** A small seeded generator, so a failure names the seed that reproduces it. */
function random(seed: number) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  return { next, pick }
}

const CHARS = 'abcXYZ019 .,-_/:@"\'<>&%+٣é\u202e\n\t'
const ODD = ['', ' ', '0', '-1', '1e3', '0x10', 'NaN', 'undefined', 'null', 'Infinity', '5 GB', '1.999', 'on']

describe('every operator form, posted garbage', () => {
  it('answers each post with a page whose every message is ours, never a library’s', async () => {
    const seed = Date.now()
    const r = random(seed)
    const k = await subscriberTestKit()
    for (let round = 0; round < 4; round++) {
      for (const c of FORM_CASES) {
        const names = Object.keys({ ...c.good(k), ...c.bad })
        const fields: Record<string, string> = {}
        for (const name of names) {
          const roll = r.next()
          if (roll < 0.15) continue // left out, as a hand-made post might
          fields[name] =
            roll < 0.4
              ? (c.good(k)[name] ?? '')
              : roll < 0.7
                ? r.pick(ODD)
                : roll < 0.9
                  ? Array.from({ length: 1 + Math.floor(r.next() * 12) }, () => r.pick([...CHARS])).join('')
                  : r.pick(['x', '9', 'é']).repeat(100 + Math.floor(r.next() * 300))
        }
        const where = `seed ${seed}, ${c.name}, ${JSON.stringify(fields)}`
        const reply = await postForm(k, c, fields)
        expect(reply.status, where).toBeLessThan(500)
        const html = reply.location ? (await k.browser.get(reply.location)).html : reply.html
        const said = [bannerIn(html) ?? '', ...fieldMarksIn(html).map((m) => m.message)]
        for (const message of said) {
          // What the person typed may be quoted back; the words around it must be ours.
          const ours = Object.values(fields)
            .filter((v) => v.length >= 3)
            .reduce((text, typed) => text.split(typed).join('…'), message)
          expect(ours, where).not.toMatch(LIBRARY_WORDS)
        }
      }
    }
    // Password hashing makes some posts slow on purpose.
  }, 120_000)
})
