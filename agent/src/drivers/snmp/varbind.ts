/** One SNMP variable as both client libraries hand it over, decoded exactly (integers as bigint, strings as bytes). */

/** BER/SMI type tags of the values the counter source reads. */
export const Tag = {
  Integer: 0x02,
  OctetString: 0x04,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  Counter64: 0x46,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
} as const

const TAG_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Tag).map(([name, tag]) => [tag, name]))

export type SnmpValue =
  | { type: 'octets'; bytes: Uint8Array }
  | { type: 'integer' | 'counter32' | 'gauge32' | 'timeticks' | 'counter64'; value: bigint }
  | { type: 'noSuchObject' | 'noSuchInstance' | 'endOfMibView' }
  | { type: 'other'; tag: number }

export interface Varbind {
  /** Dotted numeric OID without a leading dot. */
  oid: string
  value: SnmpValue
}

const UNSIGNED_BITS = { counter32: 32, gauge32: 32, timeticks: 32, counter64: 64 } as const

/** Decodes a value from its tag and BER content octets (what snmp-native keeps as `valueRaw`). */
export function decodeValue(tag: number, content: Uint8Array): SnmpValue {
  switch (tag) {
    case Tag.OctetString:
      return { type: 'octets', bytes: content }
    case Tag.Integer:
      return { type: 'integer', value: berSigned(content) }
    case Tag.Counter32:
      return unsigned('counter32', content)
    case Tag.Gauge32:
      return unsigned('gauge32', content)
    case Tag.TimeTicks:
      return unsigned('timeticks', content)
    case Tag.Counter64:
      return unsigned('counter64', content)
    case Tag.NoSuchObject:
      return { type: 'noSuchObject' }
    case Tag.NoSuchInstance:
      return { type: 'noSuchInstance' }
    case Tag.EndOfMibView:
      return { type: 'endOfMibView' }
    default:
      return { type: 'other', tag }
  }
}

function unsigned(type: keyof typeof UNSIGNED_BITS, content: Uint8Array): SnmpValue {
  return { type, value: berUnsigned(content, UNSIGNED_BITS[type]) }
}

/**
 * An unsigned SMI integer from BER content octets. BER is two's complement, so values with the top
 * bit set carry a leading 0x00 (nine octets for a Counter64 ≥ 2^63); some agents omit it, which
 * reads the same here. More than `bits` significant bits is a malformed value.
 */
export function berUnsigned(content: Uint8Array, bits: number): bigint {
  let value = 0n
  for (const byte of content) value = (value << 8n) | BigInt(byte)
  if (value >> BigInt(bits) !== 0n) {
    throw new RangeError(`${Buffer.from(content).toString('hex')} does not fit an unsigned ${bits}-bit value`)
  }
  return value
}

export function berSigned(content: Uint8Array): bigint {
  if (content.length === 0) return 0n
  const unsignedValue = berUnsigned(content, content.length * 8)
  return content[0]! & 0x80 ? unsignedValue - (1n << BigInt(content.length * 8)) : unsignedValue
}

export function tagName(tag: number): string {
  return TAG_NAMES.get(tag) ?? `tag 0x${tag.toString(16)}`
}

export function isException(value: SnmpValue): boolean {
  return value.type === 'noSuchObject' || value.type === 'noSuchInstance' || value.type === 'endOfMibView'
}

/** SNMP strings carry no charset; UTF-8 is what RouterOS and net-snmp send for names in practice. */
const utf8 = new TextDecoder('utf-8')

export function displayString(value: SnmpValue): string | undefined {
  return value.type === 'octets' ? utf8.decode(value.bytes) : undefined
}

export function counter64(value: SnmpValue): bigint | undefined {
  return value.type === 'counter64' ? value.value : undefined
}

export function timeTicks(value: SnmpValue): bigint | undefined {
  return value.type === 'timeticks' ? value.value : undefined
}

export function integer(value: SnmpValue): bigint | undefined {
  return value.type === 'integer' ? value.value : undefined
}
