/**
 * A NAS's CoA/Disconnect side for tests, written from RFC 5176: checks each request's
 * authenticator with its secret (a request that fails is dropped unanswered, §3.5), finds the
 * session by Acct-Session-Id, applies the attributes to its view of the session and answers
 * ACK, or NAK with an Error-Cause — or stays silent, as told.
 */
import { createSocket } from 'node:dgram'
import { ATTR } from './accounting-record.js'
import { DICTIONARY, ERROR_CAUSE, readVendorAttribute, SESSION_CONTEXT_NOT_FOUND } from './coa-attributes.js'
import {
  COA_ACK,
  COA_NAK,
  COA_REQUEST,
  DISCONNECT_ACK,
  DISCONNECT_NAK,
  DISCONNECT_REQUEST,
  decodePacket,
  type RadiusAttribute,
  requestAuthentic,
  signedResponse,
} from './codec.js'

export interface PeerRequest {
  kind: 'coa' | 'disconnect'
  sessionId?: string
  userName?: string
  nasIp?: string
  framedIp?: string
  /** The dictionary attributes it carried, by name. */
  attributes: Record<string, string>
  atMs: number
}

/** What the peer does with the next request: answer it (ACK, or NAK with a cause), or drop it. */
export type PeerAnswer = { kind: 'ack' } | { kind: 'nak'; cause: number } | { kind: 'silent' }

export interface CoaPeer {
  readonly port: number
  /** Every authentic request, in arrival order. */
  readonly requests: PeerRequest[]
  /** Requests dropped because their authenticator did not check out. */
  readonly forged: number
  /** Each session's attributes as ACKed so far; a disconnected session is gone. */
  view(sessionId: string): Record<string, string> | undefined
  /** Sessions the NAS holds (others get NAK 503); all, unless set. */
  setSessions(ids: readonly string[] | undefined): void
  /** Decides each answer (default: ACK). */
  answer: (request: PeerRequest) => PeerAnswer
  /** The next `count` requests get NAK `cause`, then `answer` decides again. */
  nakNext(count: number, cause: number): void
  /** Answers with this secret instead (a NAS configured with another one). */
  answerSecret: string
  close(): Promise<void>
}

const NAMES = new Map(
  Object.entries(DICTIONARY).map(([name, d]) => [`${'vendor' in d ? d.vendor : 0}:${d.type}`, name]),
)

function readRequest(kind: PeerRequest['kind'], attributes: RadiusAttribute[]): PeerRequest {
  const text = (type: number) => attributes.find((a) => a.type === type)?.value.toString('utf8')
  const ip = (type: number) => {
    const v = attributes.find((a) => a.type === type)?.value
    return v?.length === 4 ? [...v].join('.') : undefined
  }
  const named: Record<string, string> = {}
  for (const attribute of attributes) {
    const vsa = readVendorAttribute(attribute)
    const key = vsa ? `${vsa.vendor}:${vsa.type}` : `0:${attribute.type}`
    const name = NAMES.get(key)
    if (name) named[name] = (vsa?.value ?? attribute.value).toString('utf8')
  }
  const request: PeerRequest = { kind, attributes: named, atMs: Date.now() }
  const sessionId = text(ATTR.acctSessionId)
  if (sessionId !== undefined) request.sessionId = sessionId
  const userName = text(ATTR.userName)
  if (userName !== undefined) request.userName = userName
  const nasIp = ip(ATTR.nasIpAddress)
  if (nasIp) request.nasIp = nasIp
  const framedIp = ip(ATTR.framedIpAddress)
  if (framedIp) request.framedIp = framedIp
  return request
}

export async function coaPeer(secret: string, host = '127.0.0.1'): Promise<CoaPeer> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, host, resolve))
  const views = new Map<string, Record<string, string>>()
  const disconnected = new Set<string>()
  let sessions: Set<string> | undefined
  let naks = { count: 0, cause: 0 }
  let forged = 0
  const peer: CoaPeer = {
    port: socket.address().port,
    requests: [],
    get forged() {
      return forged
    },
    view: (id) => (disconnected.has(id) ? undefined : (views.get(id) ?? {})),
    setSessions(ids) {
      sessions = ids && new Set(ids)
    },
    answer: () => ({ kind: 'ack' }),
    nakNext(count, cause) {
      naks = { count, cause }
    },
    answerSecret: secret,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
  socket.on('message', (datagram, from) => {
    let packet: ReturnType<typeof decodePacket>
    try {
      packet = decodePacket(datagram)
    } catch {
      return
    }
    const kind =
      packet.code === COA_REQUEST ? 'coa' : packet.code === DISCONNECT_REQUEST ? 'disconnect' : undefined
    if (!kind) return
    if (!requestAuthentic(datagram, secret)) {
      forged++
      return
    }
    const request = readRequest(kind, packet.attributes)
    peer.requests.push(request)
    let answer: PeerAnswer
    if (naks.count > 0) {
      naks.count--
      answer = { kind: 'nak', cause: naks.cause }
    } else if (request.sessionId === undefined || (sessions && !sessions.has(request.sessionId))) {
      answer = { kind: 'nak', cause: SESSION_CONTEXT_NOT_FOUND }
    } else {
      answer = peer.answer(request)
    }
    if (answer.kind === 'silent') return
    if (answer.kind === 'ack') {
      const id = request.sessionId!
      if (kind === 'disconnect') disconnected.add(id)
      else views.set(id, { ...views.get(id), ...request.attributes })
    }
    const code =
      answer.kind === 'ack'
        ? kind === 'coa'
          ? COA_ACK
          : DISCONNECT_ACK
        : kind === 'coa'
          ? COA_NAK
          : DISCONNECT_NAK
    const cause = Buffer.alloc(4)
    if (answer.kind === 'nak') cause.writeUInt32BE(answer.cause)
    const attributes = answer.kind === 'nak' ? [{ type: ERROR_CAUSE, value: cause }] : []
    socket.send(signedResponse(code, packet, attributes, peer.answerSecret), from.port, from.address)
  })
  return peer
}
