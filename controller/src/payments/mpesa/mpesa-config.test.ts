import { describe, expect, it } from 'vitest'
import { buildProviders } from '../providers.js'
import { mpesaConfigFromEnv } from './mpesa-config.js'

const FULL = {
  CAPD_MPESA_CONSUMER_KEY: 'key-1',
  CAPD_MPESA_CONSUMER_SECRET: 'secret-1',
  CAPD_MPESA_SHORTCODE: '174379',
  CAPD_MPESA_PASSKEY: 'passkey-that-must-not-leak',
  CAPD_MPESA_API_URL: 'https://sandbox.safaricom.co.ke/',
}
const KENYA = { currency: 'KES', publicUrl: 'https://isp.example/' }

describe('M-Pesa settings', () => {
  it('are absent when no CAPD_MPESA_* is set: M-Pesa is not offered', () => {
    expect(mpesaConfigFromEnv({}, KENYA)).toBeUndefined()
    expect(buildProviders({}, KENYA).has('mpesa')).toBe(false)
  })

  it('are read whole, with pay bill as the default transaction type', () => {
    expect(mpesaConfigFromEnv(FULL, KENYA)).toEqual({
      consumerKey: 'key-1',
      consumerSecret: 'secret-1',
      shortcode: '174379',
      partyB: '174379',
      passkey: 'passkey-that-must-not-leak',
      apiUrl: 'https://sandbox.safaricom.co.ke',
      transactionType: 'CustomerPayBillOnline',
      publicUrl: 'https://isp.example',
    })
    const tills = mpesaConfigFromEnv(
      { ...FULL, CAPD_MPESA_TRANSACTION_TYPE: 'CustomerBuyGoodsOnline' },
      KENYA,
    )
    expect(tills).toMatchObject({ transactionType: 'CustomerBuyGoodsOnline', partyB: '174379' })
    const till = {
      ...FULL,
      CAPD_MPESA_TRANSACTION_TYPE: 'CustomerBuyGoodsOnline',
      CAPD_MPESA_TILL_NUMBER: '5678901',
    }
    expect(mpesaConfigFromEnv(till, KENYA)).toMatchObject({ shortcode: '174379', partyB: '5678901' })
    const provider = buildProviders(FULL, KENYA).get('mpesa')
    expect(provider).toMatchObject({ id: 'mpesa', label: 'M-Pesa', payerField: { name: 'phone' } })
  })

  it.each(Object.keys(FULL))('refuses to start with %s missing, naming it', (name) => {
    const env: Record<string, string> = { ...FULL }
    delete env[name]
    expect(() => mpesaConfigFromEnv(env, KENYA)).toThrow(new RegExp(`half configured: set ${name}`))
  })

  it.each([
    [{ CAPD_MPESA_TRANSACTION_TYPE: 'CustomerPayBillOnline' }, {}, /half configured/],
    [FULL, { currency: 'USD' }, /Kenyan shillings only, but this controller's currency is USD/],
    [FULL, { publicUrl: undefined }, /needs the public URL/],
    [{ ...FULL, CAPD_MPESA_API_URL: 'sandbox.safaricom.co.ke' }, {}, /CAPD_MPESA_API_URL must be a URL/],
    [{ ...FULL, CAPD_MPESA_SHORTCODE: 'abc' }, {}, /CAPD_MPESA_SHORTCODE must be/],
    [
      { ...FULL, CAPD_MPESA_TRANSACTION_TYPE: 'Paybill' },
      {},
      /CustomerPayBillOnline or CustomerBuyGoodsOnline/,
    ],
    [{ ...FULL, CAPD_MPESA_TILL_NUMBER: '5678901' }, {}, /TILL_NUMBER is the till number .* for .*BuyGoods/],
    [
      { ...FULL, CAPD_MPESA_TRANSACTION_TYPE: 'CustomerBuyGoodsOnline', CAPD_MPESA_TILL_NUMBER: 'x' },
      {},
      /TILL_NUMBER is the till number/,
    ],
  ])('refuses settings that cannot work (%#)', (env, controller, why) => {
    let message = ''
    try {
      mpesaConfigFromEnv(env, { ...KENYA, ...controller })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(why)
    expect(message).not.toContain('passkey-that-must-not-leak')
    expect(message).not.toContain('secret-1')
  })
})
