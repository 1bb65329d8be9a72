/**
 * RADIUS packets (RFC 2865 §3: code, identifier, length, authenticator, attribute TLVs) and the
 * accounting authenticators (RFC 2866 §3): a small codec of our own rather than the `radius` npm
 * package, which loads its dictionaries from files at run time (the esbuild agent bundle would
 * have to carry them) and decodes every attribute by name when accounting reads a dozen by number.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

export const ACCOUNTING_REQUEST = 4
export const ACCOUNTING_RESPONSE = 5
/** RFC 5176 §2: Disconnect and CoA requests, their ACKs and NAKs. */
export const DISCONNECT_REQUEST = 40
export const DISCONNECT_ACK = 41
export const DISCONNECT_NAK = 42
export const COA_REQUEST = 43
export const COA_ACK = 44
export const COA_NAK = 45

const HEADER_BYTES = 20
const MAX_PACKET_BYTES = 4096

export interface RadiusAttribute {
  type: number
  value: Buffer
}

export interface RadiusPacket {
  code: number
  identifier: number
  authenticator: Buffer
  attributes: RadiusAttribute[]
}

/** A datagram that is not a well-formed RADIUS packet. */
export class RadiusFormatError extends Error {}

export function decodePacket(bytes: Buffer): RadiusPacket {
  if (bytes.length < HEADER_BYTES)
    throw new RadiusFormatError(`${bytes.length} bytes is shorter than a header`)
  const length = bytes.readUInt16BE(2)
  // Octets past Length are padding and ignored (RFC 2865 §3); fewer is a truncated packet.
  if (length < HEADER_BYTES || length > MAX_PACKET_BYTES || length > bytes.length) {
    throw new RadiusFormatError(`Length ${length} does not fit a datagram of ${bytes.length} bytes`)
  }
  const attributes: RadiusAttribute[] = []
  for (let at = HEADER_BYTES; at < length; ) {
    if (at + 2 > length) throw new RadiusFormatError('an attribute is cut off')
    const type = bytes[at]!
    const size = bytes[at + 1]!
    if (size < 2 || at + size > length) throw new RadiusFormatError(`attribute ${type} has length ${size}`)
    attributes.push({ type, value: Buffer.from(bytes.subarray(at + 2, at + size)) })
    at += size
  }
  return {
    code: bytes[0]!,
    identifier: bytes[1]!,
    authenticator: Buffer.from(bytes.subarray(4, HEADER_BYTES)),
    attributes,
  }
}

export function encodePacket(packet: RadiusPacket): Buffer {
  const parts: Buffer[] = []
  for (const { type, value } of packet.attributes) {
    if (value.length > 253)
      throw new RadiusFormatError(`attribute ${type} is ${value.length} bytes (at most 253)`)
    parts.push(Buffer.from([type, value.length + 2]), value)
  }
  const body = Buffer.concat(parts)
  const length = HEADER_BYTES + body.length
  if (length > MAX_PACKET_BYTES)
    throw new RadiusFormatError(`packet of ${length} bytes (at most ${MAX_PACKET_BYTES})`)
  const header = Buffer.alloc(4)
  header[0] = packet.code
  header[1] = packet.identifier
  header.writeUInt16BE(length, 2)
  return Buffer.concat([header, packet.authenticator, body])
}

/** MD5(Code + Identifier + Length + `authenticator` + Attributes + secret) of an encoded packet. */
function authenticatorOver(encoded: Buffer, authenticator: Buffer, secret: string): Buffer {
  const length = encoded.readUInt16BE(2)
  return createHash('md5')
    .update(encoded.subarray(0, 4))
    .update(authenticator)
    .update(encoded.subarray(HEADER_BYTES, length))
    .update(secret, 'utf8')
    .digest()
}

/** Whether an Accounting-Request's authenticator was made with `secret` (computed over 16 zero octets). */
export function requestAuthentic(datagram: Buffer, secret: string): boolean {
  const expected = authenticatorOver(datagram, Buffer.alloc(16), secret)
  return timingSafeEqual(expected, datagram.subarray(4, HEADER_BYTES))
}

/**
 * A request whose authenticator is MD5 over the packet with 16 zero octets in its place, then the
 * secret: Accounting-Request (RFC 2866 §3) and CoA/Disconnect-Request (RFC 5176 §2.3) alike.
 */
export function signedRequest(
  code: number,
  identifier: number,
  attributes: RadiusAttribute[],
  secret: string,
): Buffer {
  const encoded = encodePacket({ code, identifier, authenticator: Buffer.alloc(16), attributes })
  authenticatorOver(encoded, Buffer.alloc(16), secret).copy(encoded, 4)
  return encoded
}

/** An Accounting-Request signed with `secret` (the packet builder tests and tools use). */
export function accountingRequest(identifier: number, attributes: RadiusAttribute[], secret: string): Buffer {
  return signedRequest(ACCOUNTING_REQUEST, identifier, attributes, secret)
}

/** A response to `request`: its authenticator is MD5 over the packet with the request's authenticator, then the secret. */
export function signedResponse(
  code: number,
  request: RadiusPacket,
  attributes: RadiusAttribute[],
  secret: string,
): Buffer {
  const encoded = encodePacket({
    code,
    identifier: request.identifier,
    authenticator: Buffer.alloc(16),
    attributes,
  })
  authenticatorOver(encoded, request.authenticator, secret).copy(encoded, 4)
  return encoded
}

/** The Accounting-Response to `request`: no attributes, its authenticator over the request's. */
export function accountingResponse(request: RadiusPacket, secret: string): Buffer {
  return signedResponse(ACCOUNTING_RESPONSE, request, [], secret)
}

/** Whether `response` answers `request` under `secret` (what a NAS checks). */
export function responseAuthentic(response: Buffer, request: Buffer, secret: string): boolean {
  const expected = authenticatorOver(response, request.subarray(4, HEADER_BYTES), secret)
  return timingSafeEqual(expected, response.subarray(4, HEADER_BYTES))
}
