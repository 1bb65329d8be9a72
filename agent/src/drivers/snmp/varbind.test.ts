import snmpNative from 'snmp-native'
import { describe, expect, it } from 'vitest'
import { netSnmpValue } from './net-snmp-session.js'
import { berSigned, berUnsigned, decodeValue, Tag } from './varbind.js'

const hex = (text: string) => Buffer.from(text.replace(/ /g, ''), 'hex')
const TWO_53 = 2n ** 53n

describe('berUnsigned', () => {
  it('reads Counter64 values beyond 2^53 exactly', () => {
    expect(berUnsigned(hex('20 00 00 00 00 00 01'), 64)).toBe(TWO_53 + 1n)
    expect(berUnsigned(hex('2b dc 54 5d 6b 4b 87'), 64)).toBe(12_345_678_901_234_567n)
  })

  it('reads the top of the range with and without the leading zero octet BER asks for', () => {
    expect(berUnsigned(hex('00 ff ff ff ff ff ff ff ff'), 64)).toBe(2n ** 64n - 1n)
    expect(berUnsigned(hex('ff ff ff ff ff ff ff ff'), 64)).toBe(2n ** 64n - 1n)
    expect(berUnsigned(hex('00 80 00 00 00 00 00 00 05'), 64)).toBe(2n ** 63n + 5n)
  })

  it('refuses values wider than the type', () => {
    expect(() => berUnsigned(hex('01 00 00 00 00 00 00 00 00'), 64)).toThrow(/unsigned 64-bit/)
    expect(() => berUnsigned(hex('01 00 00 00 00'), 32)).toThrow(/unsigned 32-bit/)
  })

  it('reads zero from an empty or a zero content', () => {
    expect(berUnsigned(hex(''), 64)).toBe(0n)
    expect(berUnsigned(hex('00'), 64)).toBe(0n)
  })
})

describe('berSigned', () => {
  it('reads two’s complement integers', () => {
    expect(berSigned(hex('7f'))).toBe(127n)
    expect(berSigned(hex('ff'))).toBe(-1n)
    expect(berSigned(hex('00 80'))).toBe(128n)
    expect(berSigned(hex('80 00'))).toBe(-32768n)
  })
})

describe('decodeValue', () => {
  it('types values by their tag', () => {
    expect(decodeValue(Tag.Counter64, hex('01 00'))).toEqual({ type: 'counter64', value: 256n })
    expect(decodeValue(Tag.TimeTicks, hex('01 00'))).toEqual({ type: 'timeticks', value: 256n })
    expect(decodeValue(Tag.OctetString, hex('63 30'))).toEqual({ type: 'octets', bytes: hex('63 30') })
    expect(decodeValue(Tag.NoSuchInstance, hex(''))).toEqual({ type: 'noSuchInstance' })
    expect(decodeValue(0x40, hex('0a 00 00 01'))).toEqual({ type: 'other', tag: 0x40 })
  })
})

/** A BER TLV with a short or long length. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  const length = n < 128 ? Buffer.from([n]) : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, content])
}

describe('snmp-native answers', () => {
  it('keep the exact Counter64 in the content octets while the library’s own value is a float', () => {
    const counter = hex('00 80 00 00 00 00 00 00 05') // 2^63 + 5
    const oid = hex('2b 06 01 02 01 1f 01 01 01 0a 07') // 1.3.6.1.2.1.31.1.1.1.10.7
    const varbind = tlv(0x30, Buffer.concat([tlv(0x06, oid), tlv(Tag.Counter64, counter)]))
    const pdu = tlv(
      0xa2,
      Buffer.concat([tlv(0x02, hex('01')), tlv(0x02, hex('00')), tlv(0x02, hex('00')), tlv(0x30, varbind)]),
    )
    const message = tlv(0x30, Buffer.concat([tlv(0x02, hex('01')), tlv(0x04, Buffer.from('public')), pdu]))

    const [vb] = snmpNative.parse(message).pdu.varbinds
    expect(vb!.oid.join('.')).toBe('1.3.6.1.2.1.31.1.1.1.10.7')
    expect(Number.isSafeInteger(vb!.value)).toBe(false)
    expect(BigInt(vb!.value as number)).not.toBe(2n ** 63n + 5n)
    expect(decodeValue(vb!.type, vb!.valueRaw)).toEqual({ type: 'counter64', value: 2n ** 63n + 5n })
  })
})

describe('net-snmp answers', () => {
  it('decode Counter64 from the Buffer net-snmp leaves it in', () => {
    expect(netSnmpValue({ type: Tag.Counter64, value: hex('00 ff ff ff ff ff ff ff ff') })).toEqual({
      type: 'counter64',
      value: 2n ** 64n - 1n,
    })
  })

  it('take 32-bit numbers and exceptions as net-snmp decoded them', () => {
    expect(netSnmpValue({ type: Tag.TimeTicks, value: 4_294_967_295 })).toEqual({
      type: 'timeticks',
      value: 4_294_967_295n,
    })
    expect(netSnmpValue({ type: Tag.Integer, value: -3 })).toEqual({ type: 'integer', value: -3n })
    expect(netSnmpValue({ type: Tag.NoSuchObject, value: null })).toEqual({ type: 'noSuchObject' })
  })
})
