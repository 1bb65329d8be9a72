/** Names and free text refuse characters that hide or forge what they show: controls, bidi controls, non-characters. */
import { describe, expect, it } from 'vitest'
import { planFromForm } from '../operator-ui/catalog-forms.js'
import { testApp } from '../testing/test-app.js'

const UNSAFE = [
  '\u0000',
  '\u0007',
  '\n',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\ufdd0',
  '\ufffe',
  '\uffff',
  '\u{1fffe}',
  '\u{10ffff}',
  '\ud800',
]

const usd = (amount: number) => ({ amount, currency: 'USD' })

describe('unsafe characters in names and free text', () => {
  it('refuses each in every name and free-text field with a 400 naming the field, changing nothing', async () => {
    const t = await testApp()
    const { plan, topUpPlan, agent, subscriber } = await t.seed()
    const before = t.snapshot()
    /** [method, path, body with the text inside the field (outer whitespace is trimmed, not refused), the field] */
    const cases = (text: string): [string, string, unknown, string][] => [
      ['POST', '/plans', { name: `Ba${text}sic`, capBytes: 1e9, onCap: 'block' }, 'name'],
      ['PATCH', `/plans/${plan.id}`, { name: `Ba${text}sic` }, 'name'],
      ['POST', '/topup-plans', { name: `10${text} GB`, bytes: 1e10, price: usd(500) }, 'name'],
      ['PATCH', `/topup-plans/${topUpPlan.id}`, { name: `1${text}0 GB` }, 'name'],
      ['POST', '/agents', { name: `tow${text}er` }, 'name'],
      [
        'POST',
        '/subscribers',
        { name: `E${text}ve`, login: 'eve', planId: plan.id, agentId: agent.id, address: '10.0.0.77' },
        'name',
      ],
      ['PATCH', `/subscribers/${subscriber.id}`, { name: `Ali${text}ce` }, 'name'],
      [
        'POST',
        `/subscribers/${subscriber.id}/topups`,
        { bytes: 1e9, price: usd(100), description: `gi${text}ft` },
        'description',
      ],
      [
        'POST',
        `/subscribers/${subscriber.id}/payments`,
        { amount: usd(100), reference: `r${text}ef` },
        'reference',
      ],
    ]
    for (const text of UNSAFE) {
      for (const [method, path, body, field] of cases(text)) {
        const what = `${method} ${path} ${field} with ${JSON.stringify(text)}`
        const headers = { 'idempotency-key': `k-${Math.random()}` }
        const reply = await t.call(method, path, body, headers)
        expect(reply.status, what).toBe(400)
        expect(reply.body.error.message, what).toMatch(new RegExp(`^${field}: `))
      }
    }
    expect(t.snapshot()).toBe(before)
  }, 60_000)

  it('keeps names in any script, emoji and right-to-left text included', async () => {
    const t = await testApp()
    for (const name of ['Zoë Ångström', '日本語プラン', 'עברית 10 GB', 'Plan 😀', 'Ünïcödé – “quoted”']) {
      const reply = await t.call('POST', '/plans', { name, capBytes: 1e9, onCap: 'block' })
      expect(reply.status, name).toBe(201)
      expect(reply.body.name).toBe(name)
    }
  })

  it('refuses them in the operator UI forms too, by the field label', () => {
    expect(() =>
      planFromForm({ name: 'Basic\u202e', capBytes: '1 GB', onCap: 'block', throttleKbps: '' }),
    ).toThrow(/^Name: /)
  })
})
