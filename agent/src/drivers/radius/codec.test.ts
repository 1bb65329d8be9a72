import { describe, expect, it } from 'vitest'
import { accountingAttributes, readAccountingRecord } from './accounting-record.js'
import {
  accountingRequest,
  accountingResponse,
  decodePacket,
  RadiusFormatError,
  requestAuthentic,
  responseAuthentic,
} from './codec.js'

const record = {
  status: 'interim' as const,
  sessionId: 'abc',
  userName: 'alice',
  nasIp: '192.0.2.1',
  framedIp: '100.64.0.7',
  down: 5n * 2n ** 32n + 17n,
  up: 2n ** 32n - 1n,
  sessionTimeS: 600,
  delayS: 3,
}

describe('the RADIUS codec', () => {
  it('reads back what it wrote, Gigawords and all, and signs with the secret', () => {
    const request = accountingRequest(42, accountingAttributes(record), 's3cret')
    const packet = decodePacket(request)
    expect(packet.identifier).toBe(42)
    expect(readAccountingRecord(packet.attributes)).toEqual(record)
    expect(requestAuthentic(request, 's3cret')).toBe(true)
    expect(requestAuthentic(request, 's3creT')).toBe(false)
    const response = accountingResponse(packet, 's3cret')
    expect(responseAuthentic(response, request, 's3cret')).toBe(true)
    expect(responseAuthentic(response, request, 'other')).toBe(false)
  })

  it('refuses every cut short, overlong or malformed packet with a format error', () => {
    const good = accountingRequest(1, accountingAttributes(record), 's')
    const broken = [
      good.subarray(0, 19),
      good.subarray(0, good.length - 1),
      Buffer.concat([good.subarray(0, 2), Buffer.from([0x10, 0x01]), good.subarray(4)]),
      (() => {
        const b = Buffer.from(good)
        b[21] = 1 // the first attribute's length below 2
        return b
      })(),
      (() => {
        const b = Buffer.from(good)
        b[21] = 250 // past the end
        return b
      })(),
    ]
    for (const bytes of broken) expect(() => decodePacket(bytes)).toThrow(RadiusFormatError)
    // Octets after Length are padding.
    expect(decodePacket(Buffer.concat([good, Buffer.alloc(7)])).attributes.length).toBe(
      decodePacket(good).attributes.length,
    )
  })

  it('refuses a per-session request without Acct-Session-Id or an integer of the wrong size', () => {
    const { sessionId: _, ...noSession } = record
    expect(() => readAccountingRecord(accountingAttributes(noSession))).toThrow(/Acct-Session-Id/)
    const attributes = accountingAttributes(record).map((a) =>
      a.type === 42 ? { ...a, value: Buffer.alloc(3) } : a,
    )
    expect(() => readAccountingRecord(attributes)).toThrow(/Acct-Input-Octets is 3 bytes/)
  })
})
