/**
 * The font invoice PDFs are set in. pdfkit's built-in fonts cover only WinAnsi (Western European),
 * so names in Greek, Cyrillic, Arabic, Hebrew or with Eastern European letters would come out as
 * garbage: a Unicode TrueType font that ships with Debian (fonts-dejavu-core) is embedded instead.
 * A character it lacks (an emoji) is printed as "?" rather than an empty box.
 */
import { existsSync, readFileSync } from 'node:fs'

const DEJAVU = '/usr/share/fonts/truetype/dejavu'

export interface PdfFonts {
  regular: Buffer
  bold: Buffer
}

/** Read once per directory: every PDF embeds the same files. */
const loaded = new Map<string, PdfFonts>()

/** The font files; `CAPD_PDF_FONT_DIR` names another directory holding DejaVuSans(.ttf, -Bold.ttf). */
export function pdfFonts(dir = process.env.CAPD_PDF_FONT_DIR ?? DEJAVU): PdfFonts {
  const known = loaded.get(dir)
  if (known) return known
  const files = { regular: `${dir}/DejaVuSans.ttf`, bold: `${dir}/DejaVuSans-Bold.ttf` }
  for (const file of Object.values(files)) {
    if (!existsSync(file)) {
      throw new Error(
        `invoice PDFs need the DejaVu Sans font, missing at ${file}: install the Debian package fonts-dejavu-core (or set CAPD_PDF_FONT_DIR)`,
      )
    }
  }
  const fonts = { regular: readFileSync(files.regular), bold: readFileSync(files.bold) }
  loaded.set(dir, fonts)
  return fonts
}

/** What fontkit (inside pdfkit) answers about the current font; not in pdfkit's public types. */
interface GlyphSource {
  _font?: { font?: { hasGlyphForCodePoint?: (codePoint: number) => boolean } }
}

/**
 * `text` as the document's current font can draw it: characters it has no glyph for become "?",
 * controls become spaces. pdfkit lays text out left to right; right-to-left text keeps its logical order.
 */
export function printable(doc: object, text: string): string {
  const has = (doc as GlyphSource)._font?.font?.hasGlyphForCodePoint
  let out = ''
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    if (/[\p{Cc}\p{Cf}]/u.test(ch)) out += /[\p{Cc}]/u.test(ch) ? ' ' : ''
    else if (has && !has.call((doc as GlyphSource)._font?.font, cp)) out += '?'
    else out += ch
  }
  return out
}
