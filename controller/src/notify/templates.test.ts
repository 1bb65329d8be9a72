import { describe, expect, it } from 'vitest'
import { Refusal } from '../domain/refusal.js'
import { NOTIFICATION_EVENTS } from '../store/entities.js'
import { testApp } from '../testing/test-app.js'
import { DEFAULT_TEMPLATES } from './template-defaults.js'
import { fillTemplate, templateProblems } from './template-text.js'
import { templateVariables, variableNames } from './template-vars.js'
import {
  allTemplates,
  defaultTemplate,
  messageTemplate,
  resetTemplate,
  saveTemplate,
  TEMPLATE_CHANNELS,
  templateInputProblems,
} from './templates.js'

const PLACEHOLDER_NAMES = /\{\{\s*([^{}]*?)\s*\}\}/g
const namesIn = (text: string) => [...text.matchAll(PLACEHOLDER_NAMES)].map((m) => m[1])

describe('default templates', () => {
  it('exist for every event on e-mail (subject and body) and SMS (body), using only listed variables', () => {
    expect(Object.keys(DEFAULT_TEMPLATES).sort()).toEqual([...NOTIFICATION_EVENTS].sort())
    for (const event of NOTIFICATION_EVENTS) {
      const known = variableNames(event)
      for (const channel of TEMPLATE_CHANNELS) {
        const t = defaultTemplate(event, channel)
        expect(t.body.trim(), `${event}/${channel}`).not.toBe('')
        if (channel === 'email') expect(t.subject.trim(), event).not.toBe('')
        for (const name of [...namesIn(t.subject), ...namesIn(t.body)]) {
          expect(known.has(name!), `${event}/${channel} uses {{${name}}}`).toBe(true)
        }
        // The same check a saved template passes: the defaults could be saved as they are.
        expect(templateInputProblems(event, channel, t), `${event}/${channel}`).toEqual([])
      }
    }
  })

  it('SMS defaults fit one SMS with the example values', () => {
    for (const event of NOTIFICATION_EVENTS) {
      const examples = Object.fromEntries(templateVariables(event).map((v) => [v.name, v.example]))
      const text = fillTemplate(DEFAULT_TEMPLATES[event].sms.body, examples)
      expect(text.length, `${event}: ${text}`).toBeLessThanOrEqual(160)
      expect(text, event).not.toMatch(/\{\{/)
    }
  })

  it('every variable is documented once per event, with an example', () => {
    for (const event of NOTIFICATION_EVENTS) {
      const vars = templateVariables(event)
      expect(new Set(vars.map((v) => v.name)).size, event).toBe(vars.length)
      for (const v of vars) {
        expect(v.about, `${event} ${v.name}`).not.toBe('')
        expect(v.example, `${event} ${v.name}`).not.toBe('')
      }
    }
  })
})

describe('template text', () => {
  it('fills placeholders once: a value is never read as a template', () => {
    const vars = { name: '{{login}}', login: 'amina' }
    expect(fillTemplate('Hi {{ name }} / {{login}}', vars)).toBe('Hi {{login}} / amina')
  })

  it('leaves a variable without a value empty, and never reaches into the object prototype', () => {
    expect(fillTemplate('[{{missing}}][{{toString}}][{{__proto__}}]', { name: 'x' })).toBe('[][][]')
  })

  it('names each unknown variable, an empty pair, and an unclosed one', () => {
    const known = new Set(['name'])
    expect(templateProblems('Hi {{name}}', known)).toEqual([])
    expect(templateProblems('Hi {{nmae}}', known)).toEqual([
      'There is no variable {{nmae}} for this message: use one of those listed.',
    ])
    expect(templateProblems('{{a}} {{ b.c }}', known)[0]).toContain('{{a}}, {{b.c}}')
    expect(templateProblems('{{ }}', known)[0]).toContain('names no variable')
    expect(templateProblems('Hi {{name', known)[0]).toContain('not closed')
  })
})

describe('saving and resetting a template', () => {
  it('an override is used until reset; the audit log names both', async () => {
    const t = await testApp()
    const input = { subject: 'Heads up, {{name}}', body: 'You used {{percent}}%.\r\n\r\n' }
    await t.store.transact((tx) => saveTemplate(tx, t.env, 'user:u1', 'usage.threshold', 'email', input))
    const saved = await t.store.peek((tx) => messageTemplate(tx, 'usage.threshold', 'email'))
    expect(saved).toMatchObject({
      subject: 'Heads up, {{name}}',
      body: 'You used {{percent}}%.',
      customised: true,
    })
    // Other templates keep their defaults.
    const sms = await t.store.peek((tx) => messageTemplate(tx, 'usage.threshold', 'sms'))
    expect(sms).toEqual(defaultTemplate('usage.threshold', 'sms'))
    const list = await t.store.peek((tx) => allTemplates(tx))
    expect(list.filter((x) => x.customised).map((x) => `${x.event}/${x.channel}`)).toEqual([
      'usage.threshold/email',
    ])
    await t.store.transact((tx) => resetTemplate(tx, t.env, 'user:u1', 'usage.threshold', 'email'))
    const reset = await t.store.peek((tx) => messageTemplate(tx, 'usage.threshold', 'email'))
    expect(reset).toEqual(defaultTemplate('usage.threshold', 'email'))
    expect(t.data.audit.slice(-2).map((a) => a.action)).toEqual([
      'notify.template.save',
      'notify.template.reset',
    ])
  })

  it('refuses bad input naming each field, and changes nothing', async () => {
    const t = await testApp()
    const cases: [Parameters<typeof saveTemplate>[3], 'email' | 'sms', object, Record<string, RegExp>][] = [
      ['usage.threshold', 'email', { subject: '', body: 'x' }, { subject: /Enter a subject/ }],
      [
        'usage.threshold',
        'email',
        { subject: 'Hi {{nmae}}', body: '{{x}}' },
        { subject: /\{\{nmae\}\}/, body: /\{\{x\}\}/ },
      ],
      ['usage.threshold', 'email', { subject: 'a\nb', body: 'ok' }, { subject: /one line/ }],
      ['usage.threshold', 'email', { subject: 's'.repeat(201), body: 'ok' }, { subject: /at most 200/ }],
      ['usage.threshold', 'sms', { body: '   ' }, { body: /Enter the message/ }],
      ['usage.threshold', 'sms', { body: 'x'.repeat(601) }, { body: /at most 600/ }],
      ['usage.threshold', 'sms', { body: 'hidden\u202etext' }, { body: /control characters/ }],
      // A staff event has no subscriber figures: {{name}} is unknown there.
      ['agent.offline', 'email', { subject: 'Agent', body: 'Dear {{name}}' }, { body: /\{\{name\}\}/ }],
      ['topup.applied', 'sms', { body: 'Invoice {{invoiceNumber}}' }, { body: /\{\{invoiceNumber\}\}/ }],
    ]
    for (const [event, channel, input, expected] of cases) {
      const before = t.snapshot()
      const err = await t.store
        .transact((tx) => saveTemplate(tx, t.env, 'user:u1', event, channel, input))
        .catch((e: unknown) => e)
      expect(err, JSON.stringify(input)).toBeInstanceOf(Refusal)
      const details = Object.fromEntries(((err as Refusal).details ?? []).map((d) => [d.path, d.message]))
      expect(Object.keys(details).sort(), JSON.stringify(input)).toEqual(Object.keys(expected).sort())
      for (const [field, pattern] of Object.entries(expected)) expect(details[field]).toMatch(pattern)
      expect(t.snapshot()).toBe(before)
    }
  })

  it('resetting a default template changes and audits nothing', async () => {
    const t = await testApp()
    const before = t.snapshot()
    await t.store.transact((tx) => resetTemplate(tx, t.env, 'user:u1', 'invoice.issued', 'sms'))
    expect(t.snapshot()).toBe(before)
  })
})
