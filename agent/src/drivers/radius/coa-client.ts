/**
 * Sends one CoA-Request or Disconnect-Request (RFC 5176) and waits for its answer: one UDP socket
 * for every NAS, identifiers per destination, the answer's Response Authenticator checked with the
 * NAS's secret (an answer that fails it is dropped, as if lost). Retrying is the caller's.
 */
import { createSocket, type Socket } from 'node:dgram'
import { isIP } from 'node:net'
import { ERROR_CAUSE } from './coa-attributes.js'
import {
  COA_ACK,
  COA_NAK,
  COA_REQUEST,
  DISCONNECT_ACK,
  DISCONNECT_NAK,
  DISCONNECT_REQUEST,
  decodePacket,
  type RadiusAttribute,
  RadiusFormatError,
  responseAuthentic,
  signedRequest,
} from './codec.js'

export interface CoaDestination {
  address: string
  port: number
  secret: string
}

export type CoaOutcome =
  | { kind: 'ack' }
  | { kind: 'nak'; cause?: number }
  | { kind: 'timeout' }
  /** Every identifier towards this destination is waiting for an answer. */
  | { kind: 'busy' }

export interface CoaClient {
  send(
    to: CoaDestination,
    kind: 'coa' | 'disconnect',
    attributes: RadiusAttribute[],
    timeoutMs: number,
  ): Promise<CoaOutcome>
  close(): Promise<void>
}

interface Waiter {
  request: Buffer
  secret: string
  ack: number
  nak: number
  settle: (outcome: CoaOutcome) => void
}

export function createCoaClient(): CoaClient {
  const sockets = new Map<4 | 6, Socket>()
  const waiting = new Map<string, Waiter>()
  const nextId = new Map<string, number>()
  let closed = false

  const socketFor = (family: 4 | 6): Socket => {
    let socket = sockets.get(family)
    if (socket) return socket
    socket = createSocket(family === 6 ? 'udp6' : 'udp4')
    socket.on('error', () => {})
    socket.on('message', (datagram, from) => {
      const plain = from.address.replace(/^::ffff:/i, '')
      const waiter = waiting.get(`${plain}:${from.port}:${datagram[1]}`)
      if (!waiter) return
      let packet: ReturnType<typeof decodePacket>
      try {
        packet = decodePacket(datagram)
      } catch (err) {
        if (err instanceof RadiusFormatError) return
        throw err
      }
      if (packet.code !== waiter.ack && packet.code !== waiter.nak) return
      if (!responseAuthentic(datagram, waiter.request, waiter.secret)) return
      if (packet.code === waiter.ack) return waiter.settle({ kind: 'ack' })
      const cause = packet.attributes.find((a) => a.type === ERROR_CAUSE && a.value.length === 4)
      waiter.settle(cause ? { kind: 'nak', cause: cause.value.readUInt32BE(0) } : { kind: 'nak' })
    })
    sockets.set(family, socket)
    return socket
  }

  return {
    send(to, kind, attributes, timeoutMs) {
      if (closed) return Promise.resolve({ kind: 'timeout' })
      const family = isIP(to.address) === 6 ? 6 : 4
      const destination = `${to.address}:${to.port}`
      const start = nextId.get(destination) ?? 0
      let identifier = -1
      for (let i = 0; i < 256; i++) {
        const candidate = (start + i) & 0xff
        if (!waiting.has(`${destination}:${candidate}`)) {
          identifier = candidate
          break
        }
      }
      if (identifier < 0) return Promise.resolve({ kind: 'busy' })
      nextId.set(destination, (identifier + 1) & 0xff)
      const code = kind === 'coa' ? COA_REQUEST : DISCONNECT_REQUEST
      const request = signedRequest(code, identifier, attributes, to.secret)
      const key = `${destination}:${identifier}`
      return new Promise<CoaOutcome>((resolve) => {
        const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs)
        const settle = (outcome: CoaOutcome) => {
          clearTimeout(timer)
          waiting.delete(key)
          resolve(outcome)
        }
        waiting.set(key, {
          request,
          secret: to.secret,
          ack: kind === 'coa' ? COA_ACK : DISCONNECT_ACK,
          nak: kind === 'coa' ? COA_NAK : DISCONNECT_NAK,
          settle,
        })
        socketFor(family).send(request, to.port, to.address, (err) => {
          if (err) settle({ kind: 'timeout' })
        })
      })
    },
    async close() {
      closed = true
      for (const waiter of [...waiting.values()]) waiter.settle({ kind: 'timeout' })
      for (const socket of sockets.values())
        await new Promise<void>((resolve) => socket.close(() => resolve()))
      sockets.clear()
    },
  }
}
