import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'
import { PHONE_MESSAGE } from './contact-schemas.js'

async function kit() {
  const t = await testApp()
  const seeded = await t.seed()
  const create = (extra: Record<string, unknown>, login = 'carol') =>
    t.call('POST', '/subscribers', {
      name: 'Carol',
      login,
      planId: seeded.plan.id,
      agentId: seeded.agent.id,
      address: `10.0.1.${login.length}`,
      ...extra,
    })
  return { ...t, ...seeded, create }
}

describe('phone, postal address and notes', () => {
  it('normalise a phone number and multi-line text, and read back as given', async () => {
    const k = await kit()
    const reply = await k.create({
      phone: '+254 712-345 678',
      postalAddress: '  P.O. Box 12\r\nNairobi  ',
      notes: 'Pays late.\n\tCall first.',
    })
    expect(reply.status).toBe(201)
    expect(reply.body).toMatchObject({
      phone: '+254712345678',
      postalAddress: 'P.O. Box 12\nNairobi',
      notes: 'Pays late.\n\tCall first.',
    })
    const read = await k.call('GET', `/subscribers/${reply.body.id}`)
    expect(read.body.phone).toBe('+254712345678')
  })

  it('refuses every phone number that is not E.164 with a plain message, creating nothing', async () => {
    const k = await kit()
    const snapshot = k.snapshot()
    const bad = [
      '0712345678',
      '+1234567',
      '+1234567890123456',
      '+254 (712) 345678',
      '+254.712.345',
      '254712345678',
      '+',
      '++254712345678',
      '+２５４７１２３４５６７８',
    ]
    for (const phone of bad) {
      const reply = await k.create({ phone })
      expect(reply.status, phone).toBe(400)
      expect(JSON.stringify(reply.body.error)).toContain(PHONE_MESSAGE)
    }
    expect(k.snapshot()).toBe(snapshot)
  })

  it('bounds and cleans the free text, and edits and removes each field with PATCH', async () => {
    const k = await kit()
    const snapshot = k.snapshot()
    for (const extra of [
      { postalAddress: 'x'.repeat(501) },
      { notes: 'x'.repeat(2001) },
      { notes: 'bad\u0007bell' },
      { postalAddress: 'evil\u202eexe' },
      { postalAddress: '   ' },
    ]) {
      expect((await k.create(extra)).status, JSON.stringify(extra)).toBe(400)
    }
    expect(k.snapshot()).toBe(snapshot)

    const id = (await k.create({ phone: '+15551234567', notes: 'VIP' })).body.id
    const edited = await k.call('PATCH', `/subscribers/${id}`, {
      phone: '+44 20 7946 0000',
      postalAddress: '1 High St\nLondon',
    })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({
      phone: '+442079460000',
      postalAddress: '1 High St\nLondon',
      notes: 'VIP',
    })
    const removed = await k.call('PATCH', `/subscribers/${id}`, { phone: null, notes: null })
    expect(removed.body.phone).toBeUndefined()
    expect(removed.body.notes).toBeUndefined()
    expect(removed.body.postalAddress).toBe('1 High St\nLondon')
    expect((await k.call('PATCH', `/subscribers/${id}`, { phone: '12' })).status).toBe(400)
  })
})
