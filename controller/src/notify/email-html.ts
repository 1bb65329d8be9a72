/**
 * The HTML part of an e-mail, made from its finished text: every character escaped, blank lines
 * as paragraphs, web addresses as links, in a plain layout with the ISP's name (and logo). Styles
 * are inline because mail clients drop style sheets; they are a fixed set (EMAIL_STYLES), so the
 * settings page's preview can allow exactly these under its Content-Security-Policy.
 */

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"

export const EMAIL_STYLES = {
  body: 'margin:0;padding:0;background-color:#f3f4f6',
  wrap: `max-width:560px;margin:0 auto;padding:24px 16px;${FONT};color:#1f2937`,
  head: 'margin:0 0 16px 0;font-size:20px;font-weight:bold;color:#111827',
  logo: 'display:block;margin:0 0 8px 0;border:0;max-height:48px;width:auto',
  card: 'background-color:#ffffff;border-radius:8px;padding:24px;font-size:15px;line-height:1.55',
  p: 'margin:0 0 16px 0',
  a: 'color:#1d4ed8;text-decoration:underline;word-break:break-all',
} as const

export interface EmailLayout {
  ispName: string
  /** An absolute URL of the ISP's logo; none = the name alone. */
  logoUrl?: string
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text as HTML text or attribute value: nothing in it can open a tag, an entity or leave an attribute. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!)

/** A web address in running text; the punctuation a sentence puts after one is not part of it. */
const URL = /\bhttps?:\/\/[^\s<>"']+/g
const TRAILING = /[.,;:!?)\]}]+$/

/** One line of text as HTML: escaped, with its web addresses as links. */
export function linkedLine(line: string): string {
  let out = ''
  let at = 0
  for (const match of line.matchAll(URL)) {
    const url = match[0].replace(TRAILING, '')
    const start = match.index
    out += escapeHtml(line.slice(at, start))
    out += `<a href="${escapeHtml(url)}" style="${EMAIL_STYLES.a}">${escapeHtml(url)}</a>`
    at = start + url.length
  }
  return out + escapeHtml(line.slice(at))
}

/** The text's paragraphs (split at blank lines), each line kept. */
export function paragraphsHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p style="${EMAIL_STYLES.p}">${p.split('\n').map(linkedLine).join('<br>')}</p>`)
    .join('\n')
}

/** The whole HTML document of an e-mail whose text is `text`. */
export function emailHtml(subject: string, text: string, layout: EmailLayout): string {
  const s = EMAIL_STYLES
  const name = escapeHtml(layout.ispName)
  const logo = layout.logoUrl
    ? `<img src="${escapeHtml(layout.logoUrl)}" alt="" height="48" style="${s.logo}">`
    : ''
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    `<body style="${s.body}"><div style="${s.wrap}">`,
    `<div style="${s.head}">${logo}${name}</div>`,
    `<div style="${s.card}">\n${paragraphsHtml(text)}\n</div>`,
    '</div></body></html>',
  ].join('\n')
}
