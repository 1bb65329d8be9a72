/**
 * The agent's WebSocket to the controller: connects with its token, says hello, passes messages
 * on, and reconnects with jittered exponential backoff. Given several controllers (sharing one
 * store), it fails over to the next when one cannot be reached or drops, and backs off only once
 * every one has failed in a round (see controller-rotation.ts). A token refused (401/403) by every
 * controller is terminal: the agent stops trying and says so, but keeps counting and enforcing.
 * The backoff starts over only once a connection proved useful (an ack came, or it stayed up for `healthyAfterMs`), never
 * merely because one opened: a controller that accepts and then refuses every connection would
 * otherwise be called several times a second, forever.
 */
import {
  type AgentMessage,
  type ControllerMessage,
  parseControllerMessage,
  terminalClose,
} from '@capd/protocol'
import WebSocket from 'ws'
import { ControllerRotation } from './controller-rotation.js'
import { untrustedCertificate } from './controller-tls.js'

export interface LinkEvents {
  /** The hello to send on each new connection (built fresh: lastSeq changes). */
  hello(): AgentMessage
  message(message: ControllerMessage): void
  /** Connected to the controller at `url` (one of those the link was given, as given). */
  connected(url: string): void
  /** The connection to `url` closed: the close code and the controller's reason (its text, not ours). */
  disconnected(code: number, reason: string, url: string): void
  /** What the link has to say; text from the controller is in `fields`, never in `msg`. */
  log(msg: string, fields?: Record<string, unknown>): void
}

/** The timers the link waits with (tests put them on a simulated clock). */
export interface LinkTimers {
  set(fn: () => void, ms: number): unknown
  clear(handle: unknown): void
}

const realTimers: LinkTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface LinkOptions {
  heartbeatMs?: number
  minBackoffMs?: number
  maxBackoffMs?: number
  /** A connection up this long without being closed counts as healthy: the backoff starts over. */
  healthyAfterMs?: number
  random?: () => number
  timers?: LinkTimers
  /** PEM CA(s) trusted for `wss://` instead of the system's (the config's `controllerTls.ca`), for every controller. */
  ca?: string
}

export class ControllerLink {
  private socket: WebSocket | null = null
  private stopped = false
  private attempt = 0
  private retryTimer: unknown = null
  private healthyTimer: unknown = null
  private heartbeat: NodeJS.Timeout | null = null
  private alive = false
  private readonly rotation: ControllerRotation
  /** The HTTP status (401/403) the connection was refused with, until its close is handled. */
  private tokenRefused: number | undefined
  /** Set when the controller refused the token: no more attempts. */
  refused: string | null = null

  /** `urls`: the controllers in order of preference (one, or several sharing one store). */
  constructor(
    urls: string | readonly string[],
    private readonly token: string,
    private readonly events: LinkEvents,
    private readonly options: LinkOptions = {},
  ) {
    this.rotation = new ControllerRotation(typeof urls === 'string' ? [urls] : urls)
  }

  private get timers(): LinkTimers {
    return this.options.timers ?? realTimers
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN
  }

  /** The controller the link is connected to, or undefined while it is not. */
  get connectedUrl(): string | undefined {
    return this.connected ? this.rotation.current : undefined
  }

  start(): void {
    this.stopped = false
    this.connect()
  }

  /** Sends if connected; returns false otherwise (the caller keeps the data and resends later). */
  send(message: AgentMessage): boolean {
    if (!this.connected) return false
    this.socket!.send(JSON.stringify(message))
    return true
  }

  close(): void {
    this.stopped = true
    this.timers.clear(this.retryTimer)
    this.timers.clear(this.healthyTimer)
    this.stopHeartbeat()
    this.socket?.terminate()
    this.socket = null
  }

  private connect(): void {
    const url = this.rotation.current
    const endpoint = new URL('/agent/v1/ws', url).href
    const socket = new WebSocket(endpoint, {
      headers: { authorization: `Bearer ${this.token}` },
      handshakeTimeout: 10_000,
      maxPayload: 16 * 1024 * 1024,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    })
    this.socket = socket
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0
      if (status === 401 || status === 403) {
        this.tokenRefused = status
        this.events.log(`capd agent: the controller refused this agent's token (HTTP ${status})`, {
          controller: url,
        })
      } else {
        this.events.log('capd agent: the controller did not take the connection', {
          controller: url,
          status,
        })
      }
      socket.terminate()
    })
    socket.on('open', () => {
      this.rotation.opened()
      this.healthyTimer = this.timers.set(() => this.proven(), this.options.healthyAfterMs ?? 60_000)
      this.startHeartbeat(socket)
      socket.send(JSON.stringify(this.events.hello()))
      this.events.connected(url)
    })
    socket.on('message', (data) => {
      this.alive = true
      const parsed = parseControllerMessage(data.toString())
      if (!parsed.ok) {
        this.events.log('capd agent: ignoring a bad message from the controller', { problem: parsed.error })
        return
      }
      // The controller booked something for this agent: the link works, whatever came before.
      if (parsed.message.type === 'ack') this.proven()
      this.events.message(parsed.message)
    })
    socket.on('pong', () => {
      this.alive = true
    })
    socket.on('error', (err) => {
      const untrusted = untrustedCertificate(err, this.options.ca !== undefined)
      if (untrusted) this.events.log(`capd agent: ${untrusted}`, { error: err.message, controller: url })
      else
        this.events.log('capd agent: controller connection failed', { error: err.message, controller: url })
    })
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return
      this.socket = null
      this.stopHeartbeat()
      this.timers.clear(this.healthyTimer)
      this.events.disconnected(code, reason.toString(), url)
      // Said over a working connection, these hold for every controller of the store: stop here.
      const terminal = terminalClose(code)
      if (terminal) {
        this.refused = terminal
        this.events.log(`capd agent: ${terminal}. Not reconnecting; still counting and enforcing.`)
        this.stopped = true
      }
      const refusedWith = this.tokenRefused
      this.tokenRefused = undefined
      const { roundOver, allRefused } = this.rotation.failed(refusedWith !== undefined)
      // One controller refusing the token may be one set up wrong; every one refusing it is the token.
      if (allRefused) {
        const who = this.rotation.urls.length > 1 ? 'every controller' : 'the controller'
        this.refused = `${who} refused this agent's token (HTTP ${refusedWith}); fix "token" in the config`
        this.events.log(`capd agent: ${this.refused}. Still counting and enforcing with the last limits.`)
        this.stopped = true
      }
      this.scheduleReconnect(roundOver)
    })
  }

  private proven(): void {
    this.attempt = 0
    this.rotation.proven()
  }

  /** After a whole round failed: the backoff. Within a round: the next controller, after a short jitter. */
  private scheduleReconnect(roundOver: boolean): void {
    if (this.stopped) return
    const min = this.options.minBackoffMs ?? 500
    const random = this.options.random ?? Math.random
    if (!roundOver) {
      // Jittered a little: agents that all lost the same controller do not reach the next at once.
      this.retryTimer = this.timers.set(() => this.connect(), random() * (min / 2))
      return
    }
    const max = this.options.maxBackoffMs ?? 30_000
    const ceiling = Math.min(max, min * 2 ** this.attempt)
    this.attempt++
    // Full jitter: many agents that lost one controller do not come back in lockstep.
    const delay = min / 2 + random() * (ceiling - min / 2)
    this.retryTimer = this.timers.set(() => this.connect(), delay)
  }

  private startHeartbeat(socket: WebSocket): void {
    this.alive = true
    const every = this.options.heartbeatMs ?? 10_000
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        this.events.log('capd agent: the controller stopped answering; reconnecting', {
          controller: this.rotation.current,
        })
        socket.terminate()
        return
      }
      this.alive = false
      socket.ping()
    }, every)
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = null
  }
}
