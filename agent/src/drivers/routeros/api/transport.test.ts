import { describe, expect, it } from 'vitest'
import { ANONYMOUS_DH_CIPHERS, tlsConnectOptions } from './transport.js'

describe('tlsConnectOptions', () => {
  it('verifies the certificate unless told otherwise', () => {
    const options = tlsConnectOptions('router.example', 8729, { ca: 'PEM' })
    expect(options).toMatchObject({ rejectUnauthorized: true, ca: 'PEM', servername: 'router.example' })
    expect(options.ciphers).toBeUndefined()
  })

  it('uses anonymous Diffie-Hellman only when it is allowed explicitly', () => {
    expect(tlsConnectOptions('10.0.0.1', 8729, {}).ciphers).toBeUndefined()
    const anonymous = tlsConnectOptions('10.0.0.1', 8729, { allowAnonymousDh: true })
    expect(anonymous).toMatchObject({
      ciphers: ANONYMOUS_DH_CIPHERS,
      maxVersion: 'TLSv1.2',
      rejectUnauthorized: false,
    })
    expect(ANONYMOUS_DH_CIPHERS).toMatch(/^ADH-.*@SECLEVEL=0$/)
  })

  it('sends no SNI for an IP address, and verifies against servername when given', () => {
    expect(tlsConnectOptions('192.0.2.1', 8729, {}).servername).toBeUndefined()
    expect(tlsConnectOptions('192.0.2.1', 8729, { servername: 'r1' }).servername).toBe('r1')
  })
})
