import { describe, expect, it } from 'vitest'
import { setBranding } from '../domain/branding.js'
import type { Notification } from '../store/entities.js'
import { testApp } from '../testing/test-app.js'
import { EMAIL_STYLES, escapeHtml, linkedLine } from './email-html.js'
import { renderMessage, renderTemplate } from './render.js'
import { saveTemplate } from './templates.js'

/** A small seeded generator, so a failing case can be run again from its seed. */
function generator(seed: number) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  return { next, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! }
}

/** Pieces a hostile or merely unusual value is made of: markup, quotes, braces, other scripts, emoji. */
const PIECES = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"',
  "'",
  '&',
  '&amp;',
  '&lt;',
  '<',
  '>',
  '{{name}}',
  '{{ login }}',
  '{{',
  '}}',
  '{',
  '}',
  ' ',
  'a',
  'Zoë',
  'مرحبا',
  '你好',
  '🙂',
  '👩🏽‍💻',
  'e\u0301',
  '\u00a0',
  '</p>',
  '<!--',
  ']]>',
  '\\',
  '`',
  '$&',
  '$1',
  'https://x.example/?a=1&b=2',
  ' http://y.example/<b>',
  'https://z.example/").',
]

function randomValue(g: ReturnType<typeof generator>): string {
  const length = Math.floor(g.next() * 8)
  let out = ''
  for (let i = 0; i < length; i++) out += g.pick(PIECES)
  return out
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" }
const decoded = (html: string) => html.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]!)
/** The text a mail client shows for `html`, spaces folded. */
const shown = (html: string) =>
  decoded(html.replace(/<br>|<\/p>/g, ' ').replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim()

const LAYOUT = { ispName: 'Skyline <Wireless> & "Co"' }
const BODY = 'Hello {{name}},\n\nLogin: {{login}}. Used {{used}}.\nSee {{topUpUrl}} now.\n\n{{ispName}}'

describe('rendering a template', () => {
  it('any value appears escaped in the HTML and as it is in the text, and is never expanded again', () => {
    const seed = Date.now()
    const g = generator(seed)
    for (let round = 0; round < 500; round++) {
      const vars = {
        name: randomValue(g),
        login: randomValue(g),
        used: randomValue(g),
        topUpUrl: randomValue(g),
        ispName: randomValue(g),
      }
      const m = renderTemplate(
        { channel: 'email', subject: '{{name}} / {{login}}', body: BODY },
        vars,
        LAYOUT,
      )
      const context = `seed ${seed}, round ${round}: ${JSON.stringify(vars)}`
      expect(m.subject, context).toBe(`${vars.name} / ${vars.login}`)
      expect(m.text, context).toBe(
        `Hello ${vars.name},\n\nLogin: ${vars.login}. Used ${vars.used}.\nSee ${vars.topUpUrl} now.\n\n${vars.ispName}`,
      )
      const html = m.html!
      // Read back as a mail client shows it, the card says exactly the text: every value escaped.
      const card = html.split(`<div style="${EMAIL_STYLES.card}">`)[1]?.split('\n</div>')[0] ?? ''
      expect(shown(card), context).toBe(m.text.replace(/\s+/g, ' ').trim())
      for (const [, href, label] of card.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)) {
        expect(decoded(href!), context).toMatch(/^https?:\/\//)
        expect(decoded(href!), context).toBe(decoded(label!))
      }
      for (const value of Object.values(vars)) {
        if (!value.includes('http') && value.trim() !== '')
          expect(html, context).toContain(escapeHtml(value.trim()))
      }
      // No markup but our own: every tag is one the layout writes, every attribute one of its own.
      for (const [tag] of html.matchAll(/<[^>]*>/g)) {
        expect(tag, context).toMatch(
          /^<(!doctype html|\/?(html|head|title|body|div|p|a|br|meta)\b[^<]*|meta [^<]*)>$/,
        )
        expect(tag, context).not.toMatch(/onerror|<script|<img/i)
      }
      for (const [, style] of html.matchAll(/style="([^"]*)"/g)) {
        expect(Object.values(EMAIL_STYLES), context).toContain(style)
      }
    }
  })

  it('turns web addresses into links, leaving the sentence’s punctuation out', () => {
    expect(linkedLine('Top up: https://isp.example/portal?a=1&b=2.')).toBe(
      `Top up: <a href="https://isp.example/portal?a=1&amp;b=2" style="${EMAIL_STYLES.a}">https://isp.example/portal?a=1&amp;b=2</a>.`,
    )
    expect(linkedLine('javascript:alert(1) and "https://x.example/"><b>"')).toBe(
      `javascript:alert(1) and &quot;<a href="https://x.example/" style="${EMAIL_STYLES.a}">https://x.example/</a>&quot;&gt;&lt;b&gt;&quot;`,
    )
  })

  it('SMS has text alone', () => {
    const m = renderTemplate({ channel: 'sms', subject: '', body: 'Hi {{name}}' }, { name: '<b>' }, LAYOUT)
    expect(m).toEqual({ subject: '', text: 'Hi <b>' })
  })
})

describe('renderMessage', () => {
  const notification: Notification = {
    id: 'usage/s1/0/100/80',
    event: 'usage.threshold',
    subscriberId: 's1',
    vars: { name: 'Amina', percent: '81', threshold: '80', used: '8.1 GB', limit: '10 GB' },
    data: { usedBytes: 8.1e9 },
    createdAtMs: 0,
  }

  it('uses the default until the ISP saves its own, with the branding as it is now', async () => {
    const t = await testApp()
    const first = await t.store.peek((tx) => renderMessage(tx, t.env, notification, 'email'))
    expect(first.subject).toBe("You've used 80% of your data")
    expect(first.text).toContain('Hello Amina,')
    expect(first.text).toContain('Questions? Contact Your internet provider.')
    expect(first.html).toContain('Hello Amina,')

    await t.store.transact(async (tx) => {
      await setBranding(tx, t.env, 'system', {
        name: 'Skyline',
        supportEmail: 'help@skyline.example',
        supportPhone: '+254 700 000 111',
      })
      await saveTemplate(tx, t.env, 'system', 'usage.threshold', 'sms', {
        body: '{{ispName}}: {{percent}}% used. Help: {{supportContact}}',
      })
    })
    const sms = await t.store.peek((tx) => renderMessage(tx, t.env, notification, 'sms'))
    expect(sms).toEqual({
      subject: '',
      text: 'Skyline: 81% used. Help: help@skyline.example or +254 700 000 111',
    })
    const email = await t.store.peek((tx) => renderMessage(tx, t.env, notification, 'email'))
    expect(email.text).toContain('Questions? Contact help@skyline.example or +254 700 000 111.')
    expect(email.html).toContain('>Skyline</div>')
  })

  it('a webhook has no template: its text is the data as JSON', async () => {
    const t = await testApp()
    const m = await t.store.peek((tx) => renderMessage(tx, t.env, notification, 'webhook'))
    expect(JSON.parse(m.text)).toEqual(notification.data)
    expect(m.html).toBeUndefined()
  })
})
