import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

describe('billing settings', () => {
  it('reads the defaults, saves both fields, and refuses anything else unchanged', async () => {
    const { call, snapshot } = await testApp()
    expect((await call('GET', '/settings/billing')).body).toEqual({
      paidTopUps: 'invoice',
      operatorTopUps: 'next_invoice',
    })
    const saved = await call('PUT', '/settings/billing', {
      paidTopUps: 'proforma',
      operatorTopUps: 'balance_now',
    })
    expect(saved.body).toEqual({ paidTopUps: 'proforma', operatorTopUps: 'balance_now' })
    expect((await call('GET', '/settings/billing')).body).toEqual(saved.body)
    const before = snapshot()
    for (const body of [
      { paidTopUps: 'proforma' },
      { paidTopUps: 'x', operatorTopUps: 'balance_now' },
      { paidTopUps: 'invoice', operatorTopUps: 'balance_now', more: 1 },
    ]) {
      expect((await call('PUT', '/settings/billing', body)).status).toBe(400)
    }
    expect(snapshot()).toBe(before)
  })
})
