import { describe, expect, it } from 'vitest'
import { SMS_TEXT_MAX, smsText } from './sms-text.js'

const text = (t: string) => smsText({ subject: 'ignored', text: t })

describe('smsText', () => {
  it('is the trimmed text, the subject left out', () => {
    expect(text('\n  Your data is 80% used.\nTop up: https://isp.example/t  \n')).toBe(
      'Your data is 80% used.\nTop up: https://isp.example/t',
    )
  })

  it('keeps a text of exactly 1600 characters, and cuts a longer one to 1600 with an ellipsis', () => {
    expect(text('a'.repeat(SMS_TEXT_MAX))).toBe('a'.repeat(SMS_TEXT_MAX))
    expect(text('a'.repeat(SMS_TEXT_MAX + 1))).toBe(`${'a'.repeat(SMS_TEXT_MAX - 1)}…`)
  })

  it('never cuts through a character outside the BMP, and replaces stray surrogate halves', () => {
    for (let pad = 1590; pad <= 1600; pad++) {
      const cut = text(`${'x'.repeat(pad)}${'😀'.repeat(20)}`)
      expect(cut.length).toBeLessThanOrEqual(SMS_TEXT_MAX)
      expect(cut.endsWith('…')).toBe(true)
      // encodeURIComponent throws on a lone surrogate.
      expect(() => encodeURIComponent(cut)).not.toThrow()
    }
    expect(text('a\uD800b\uDC00c😀')).toBe('a\uFFFDb\uFFFDc😀')
  })
})
