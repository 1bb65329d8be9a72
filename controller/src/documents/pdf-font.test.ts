import { describe, expect, it } from 'vitest'
import { pdfFonts, printable } from './pdf-font.js'

describe('the PDF font', () => {
  it('names the Debian package when the font is missing', () => {
    expect(() => pdfFonts('/nonexistent/fonts')).toThrow(/fonts-dejavu-core/)
  })

  it('turns controls into spaces and drops invisible format characters, before any font is chosen', () => {
    expect(printable({}, 'a\tb\u0000c\u200bd\u202ee')).toBe('a b cde')
  })
})
