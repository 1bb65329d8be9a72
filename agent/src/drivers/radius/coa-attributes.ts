/**
 * The attributes a CoA carries: a small dictionary (RFC 2865 Filter-Id, MikroTik's vendor 14988
 * Rate-Limit and Address-List), values with placeholders filled per subscriber, the session
 * identification RFC 5176 §3 asks for, and the RFC 5176 §3.6 Error-Cause names.
 */
import { isIP } from 'node:net'
import type { SubscriberRule } from '../driver.js'
import type { RadiusAttribute } from './codec.js'

export const VENDOR_SPECIFIC = 26
export const MIKROTIK_VENDOR = 14988
export const ERROR_CAUSE = 101

/** Attributes by name: `vendor` absent = a standard attribute. All are strings (text). */
export const DICTIONARY = {
  'Filter-Id': { type: 11 },
  'Reply-Message': { type: 18 },
  'Mikrotik-Rate-Limit': { vendor: MIKROTIK_VENDOR, type: 8 },
  'Mikrotik-Address-List': { vendor: MIKROTIK_VENDOR, type: 19 },
} as const satisfies Record<string, { vendor?: number; type: number }>
export type AttributeName = keyof typeof DICTIONARY
export const ATTRIBUTE_NAMES = Object.keys(DICTIONARY) as [AttributeName, ...AttributeName[]]

/** One configured attribute: by dictionary name, or by number (with `vendor` for a vendor-specific one). */
export type AttributeSpec =
  | { name: AttributeName; value: string }
  | { type: number; vendor?: number | undefined; value: string }

/** RFC 5176 §3.6 Error-Cause values. */
export const ERROR_CAUSES: Readonly<Record<number, string>> = {
  201: 'Residual Session Context Removed',
  202: 'Invalid EAP Packet (Ignored)',
  401: 'Unsupported Attribute',
  402: 'Missing Attribute',
  403: 'NAS Identification Mismatch',
  404: 'Invalid Request',
  405: 'Unsupported Service',
  406: 'Unsupported Extension',
  407: 'Invalid Attribute Value',
  501: 'Administratively Prohibited',
  502: 'Request Not Routable (Proxy)',
  503: 'Session Context Not Found',
  504: 'Session Context Not Removable',
  505: 'Other Proxy Processing Error',
  506: 'Resources Unavailable',
  507: 'Request Initiated',
  508: 'Multiple Session Selection Unsupported',
}
export const SESSION_CONTEXT_NOT_FOUND = 503

export function errorCauseText(cause: number | undefined): string {
  if (cause === undefined) return 'no Error-Cause'
  return `Error-Cause ${cause} ${ERROR_CAUSES[cause] ?? '(unknown)'}`
}

/** `{login}`, `{subscriberId}`, `{throttleKbps}` (download) and `{throttleUpKbps}` (upload, else the download rate). */
export function fillPlaceholders(value: string, rule: SubscriberRule): string {
  const down = rule.throttleKbps ?? 0
  return value
    .replaceAll('{login}', rule.login ?? '')
    .replaceAll('{subscriberId}', rule.subscriberId)
    .replaceAll('{throttleKbps}', String(down))
    .replaceAll('{throttleUpKbps}', String(rule.throttleUpKbps ?? down))
}

export function encodeAttribute(spec: AttributeSpec, rule: SubscriberRule): RadiusAttribute {
  const { vendor, type } =
    'name' in spec ? (DICTIONARY[spec.name] as { vendor?: number; type: number }) : spec
  const value = Buffer.from(fillPlaceholders(spec.value, rule), 'utf8')
  if (vendor === undefined) return { type, value }
  // RFC 2865 §5.26: Vendor-Id, then the vendor's own type-length-value.
  if (value.length > 247) throw new Error(`attribute ${vendor}:${type} value is ${value.length} bytes`)
  const header = Buffer.alloc(6)
  header.writeUInt32BE(vendor, 0)
  header[4] = type
  header[5] = value.length + 2
  return { type: VENDOR_SPECIFIC, value: Buffer.concat([header, value]) }
}

/** A vendor-specific attribute's parts (the first sub-attribute), or undefined. */
export function readVendorAttribute(
  attribute: RadiusAttribute,
): { vendor: number; type: number; value: Buffer } | undefined {
  const v = attribute.value
  if (attribute.type !== VENDOR_SPECIFIC || v.length < 6) return undefined
  const size = v[5]!
  if (size < 2 || 4 + size > v.length) return undefined
  return { vendor: v.readUInt32BE(0), type: v[4]!, value: Buffer.from(v.subarray(6, 4 + size)) }
}

/** What names the session (RFC 5176 §3): the NAS, the user, the accounting session, the framed address. */
export interface SessionIdentity {
  nasIp?: string
  nasIdentifier?: string
  userName: string
  sessionId: string
  framedIp?: string
}

export function identityAttributes(session: SessionIdentity): RadiusAttribute[] {
  const attributes: RadiusAttribute[] = []
  const ipv4 = (type: number, address: string | undefined) => {
    if (address && isIP(address) === 4)
      attributes.push({ type, value: Buffer.from(address.split('.').map(Number)) })
  }
  ipv4(4, session.nasIp)
  if (session.nasIdentifier) attributes.push({ type: 32, value: Buffer.from(session.nasIdentifier, 'utf8') })
  if (session.userName) attributes.push({ type: 1, value: Buffer.from(session.userName, 'utf8') })
  attributes.push({ type: 44, value: Buffer.from(session.sessionId, 'utf8') })
  ipv4(8, session.framedIp)
  return attributes
}
