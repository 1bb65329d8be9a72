/**
 * Controllers for failover tests: each a WebSocket server on its own port that can be killed and
 * started again there, all booking usage into one shared ledger the way the real controllers
 * sharing a store do: an entry is booked only above the (agent, epoch) high-water mark, which it
 * raises in the same step, then acked. They can refuse the upgrade (HTTP 401/500) and crash
 * before or after booking a usage message.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { type WebSocket, WebSocketServer } from 'ws'

/** What every controller booked, by (epoch, seq): one store shared by all of them. */
export class Ledger {
  readonly marks = new Map<string, number>()
  /** `epoch:seq` → the bytes of that entry. */
  readonly booked = new Map<string, number>()
  /** Usage messages whose first new seq was not the mark + 1 (entries skipped). */
  readonly gaps: string[] = []
  /** Entries that came again after being booked (ignored, as the real controller does). */
  duplicates = 0

  /** Books the entries above the mark; returns the seq to ack. */
  book(epoch: string, entries: readonly { seq: number; down: number; up: number }[]): number {
    const mark = this.marks.get(epoch) ?? 0
    const fresh = entries.filter((e) => e.seq > mark)
    this.duplicates += entries.length - fresh.length
    if (fresh.length === 0) return mark
    if (fresh[0]!.seq !== mark + 1) this.gaps.push(`${epoch}: expected ${mark + 1}, got ${fresh[0]!.seq}`)
    for (const e of fresh) this.booked.set(`${epoch}:${e.seq}`, e.down + e.up)
    const seq = fresh[fresh.length - 1]!.seq
    this.marks.set(epoch, seq)
    return seq
  }

  get totalBytes(): number {
    let sum = 0
    for (const bytes of this.booked.values()) sum += bytes
    return sum
  }
}

export type Upgrade = 'accept' | 401 | 403 | 500

export interface BookingController {
  readonly name: string
  /** `ws://127.0.0.1:<port>`, the same across restarts. */
  readonly url: string
  readonly running: boolean
  /** WebSocket connections taken since the test began. */
  readonly connections: number
  /** Upgrade requests answered, refused ones included. */
  readonly dials: number
  /** Every usage message received, in order (with the entries' seqs). */
  readonly usage: { epoch: string; seqs: number[] }[]
  /** How the next upgrades are answered. */
  upgrade: Upgrade
  /** On the next usage message: crash before booking it, or after booking it but before the ack. */
  crashOnUsage: 'before' | 'after' | undefined
  start(): Promise<void>
  /** Like a crash: every connection cut, the port closed. */
  kill(): Promise<void>
}

export async function bookingController(
  name: string,
  ledger: Ledger,
  limits: () => SubscriberLimit[],
): Promise<BookingController> {
  let server: Server | undefined
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })
  let port = 0
  const usage: { epoch: string; seqs: number[] }[] = []
  const counts = { connections: 0, dials: 0 }
  const self: BookingController = {
    name,
    get url() {
      return `ws://127.0.0.1:${port}`
    },
    get running() {
      return server !== undefined
    },
    get connections() {
      return counts.connections
    },
    get dials() {
      return counts.dials
    },
    usage,
    upgrade: 'accept',
    crashOnUsage: undefined,
    async start() {
      if (server) return
      const s = createServer((_req, res) => res.writeHead(404).end())
      s.on('upgrade', (req, socket, head) => {
        counts.dials++
        // The upgraded socket is ours: an agent that hangs up on a refusal resets it (ECONNRESET),
        // which would be an uncaught error without a listener.
        socket.on('error', () => {})
        if (self.upgrade !== 'accept') {
          socket.end(`HTTP/1.1 ${self.upgrade} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
          return
        }
        wss.handleUpgrade(req, socket, head, (ws) => serve(ws))
      })
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve))
      port = (s.address() as AddressInfo).port
      server = s
    },
    async kill() {
      const s = server
      if (!s) return
      server = undefined
      for (const client of wss.clients) client.terminate()
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }

  function serve(ws: WebSocket): void {
    counts.connections++
    const send = (message: object) => ws.send(JSON.stringify(message))
    ws.on('message', (data) => {
      if (!self.running) return
      const message = JSON.parse(String(data))
      if (message.type === 'hello') {
        const mark = ledger.marks.get(message.epoch) ?? 0
        // As the real controller: an ack lost with the last connection comes first.
        if (mark >= 1) send({ v: PROTOCOL_VERSION, type: 'ack', epoch: message.epoch, seq: mark })
        send({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs: Date.now(), subscribers: limits() })
      } else if (message.type === 'usage') {
        usage.push({ epoch: message.epoch, seqs: message.entries.map((e: { seq: number }) => e.seq) })
        const crash = self.crashOnUsage
        self.crashOnUsage = undefined
        if (crash === 'before') return void self.kill()
        const seq = ledger.book(message.epoch, message.entries)
        if (crash === 'after') return void self.kill()
        send({ v: PROTOCOL_VERSION, type: 'ack', epoch: message.epoch, seq })
      }
    })
  }

  await self.start()
  return self
}
