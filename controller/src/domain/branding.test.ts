import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { branding, DEFAULT_ISP_NAME, setBranding } from './branding.js'
import { Refusal } from './refusal.js'

const ODD: unknown[] = [
  undefined,
  null,
  0,
  -1,
  true,
  '',
  '   ',
  'x'.repeat(5000),
  'Ок',
  '😀',
  'a\u0000b',
  '\u202eevil',
  ['line'],
  [1, 2],
  { a: 1 },
  'help@example.net',
  '+254 700 000 111',
  'P051234567X',
  'Line 1\nLine 2',
]
const pick = () => ODD[Math.floor(Math.random() * ODD.length)]

describe('branding', () => {
  it('is plain words until set, and ignores a damaged stored value', async () => {
    const t = await testApp()
    expect(await t.store.peek((tx) => branding(tx))).toEqual({ name: DEFAULT_ISP_NAME, named: false })
    await t.store.transact(async (tx) => {
      await tx.settings.insert({ id: 'branding.text', value: '{not json', setAtMs: 0 })
      await tx.settings.insert({ id: 'branding.logo', value: '{"contentType":"image/svg+xml"}', setAtMs: 0 })
    })
    expect(await t.store.peek((tx) => branding(tx))).toEqual({ name: DEFAULT_ISP_NAME, named: false })
  })

  it('forged input of any shape is saved whole or refused with nothing saved, never a crash', async () => {
    const t = await testApp()
    await t.store.transact((tx) => setBranding(tx, t.env, 'system', { name: 'Before' }))
    for (let n = 0; n < 300; n++) {
      const input = {
        name: pick(),
        supportEmail: pick(),
        supportPhone: pick(),
        postalAddress: pick(),
        taxId: pick(),
      }
      const before = await t.store.peek((tx) => branding(tx))
      try {
        const saved = await t.store.transact((tx) => setBranding(tx, t.env, 'system', input))
        expect(saved.named).toBe(true)
        expect(saved.name.trim()).not.toBe('')
        expect(saved.name.length).toBeLessThanOrEqual(100)
        expect(saved.postalAddress?.length ?? 0).toBeLessThanOrEqual(6)
        expect(JSON.stringify(saved)).not.toMatch(/\\u0000|\u202e/)
      } catch (err) {
        expect(err).toBeInstanceOf(Refusal)
        expect((err as Refusal).details?.length).toBeGreaterThan(0)
        expect(await t.store.peek((tx) => branding(tx))).toEqual(before)
      }
    }
  })
})
