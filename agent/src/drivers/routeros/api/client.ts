/**
 * A RouterOS API client of our own, with guarantees the agent can lean on.
 *
 * Why not node-routeros: it is archived, on RouterOS ≥ 7.18 an `!empty` reply makes it throw an
 * uncaught exception (the agent process dies), and a `write()` pending on a reset socket never
 * settles (the agent hangs with it). The protocol is small — length-prefixed words, tagged
 * sentences, five reply types — so owning it costs a few hundred lines and buys four promises:
 * every call has a timeout (after which the router is told to `/cancel` it); no promise is ever
 * left pending (a close, reset, error or `!fatal` rejects every outstanding call at once); an
 * `error` event never crashes the process (socket errors become rejections and the `closed`
 * promise, never an event); and replies are matched by `.tag` wherever in the sentence it sits, so
 * concurrent calls cannot receive each other's rows and a late reply to a timed-out call is dropped.
 * Reconnecting is not this file's job: `session.ts` does it with jittered exponential backoff.
 */
import type { Socket } from 'node:net'
import {
  RouterOsClosed,
  RouterOsConnectError,
  RouterOsLoginError,
  RouterOsTimeout,
  RouterOsTrap,
} from './errors.js'
import { commandWords, parseReply, type RouterOsCallOptions, type RouterOsRow } from './sentence.js'
import { dial, type RouterOsTlsOptions } from './transport.js'
import { encodeSentence, SentenceDecoder } from './wire.js'

export interface RouterOsConnectOptions {
  host: string
  /** Default 8728, or 8729 with `tls`. */
  port?: number
  /** Use api-ssl. Without it the password crosses the network in clear text. */
  tls?: RouterOsTlsOptions
  user: string
  password: string
  /** Per-call timeout unless a call sets its own (default 10 s). */
  timeoutMs?: number
  /** TCP + TLS + login (default 10 s). */
  connectTimeoutMs?: number
  /** A reply word longer than this means a broken stream (default 64 MiB). */
  maxWordBytes?: number
}

/** Everything a command answered: its `!re` rows and the attributes of its `!done` (`ret` for `add`). */
export interface RouterOsReply {
  rows: RouterOsRow[]
  done: RouterOsRow
}

/** Sending commands: what a connection and a session (which reconnects) both offer. */
export interface RouterOsCaller {
  /** The `!re` rows once `!done` arrives; `[]` for `!empty`. Rejects with a RouterOsError subclass. */
  run(
    command: string,
    args?: Readonly<Record<string, string>>,
    options?: RouterOsCallOptions,
  ): Promise<RouterOsRow[]>
  /** Like `run`, also giving the `!done` attributes (`done.ret` is the `.id` an `add` created). */
  call(
    command: string,
    args?: Readonly<Record<string, string>>,
    options?: RouterOsCallOptions,
  ): Promise<RouterOsReply>
}

export interface RouterOsConnection extends RouterOsCaller {
  /** Rejects what is outstanding, says `/quit`, and resolves once the socket is closed. */
  close(): Promise<void>
  /** Resolves (never rejects) when the connection is over, with why; the owner reconnects from here. */
  readonly closed: Promise<RouterOsClosed>
  readonly isOpen: boolean
}

interface Pending {
  command: string
  timeoutMs: number
  rows: RouterOsRow[]
  timer: NodeJS.Timeout
  resolve(reply: RouterOsReply): void
  reject(error: Error): void
}

const DEFAULT_TIMEOUT_MS = 10_000

function checkTimeout(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new RangeError(`${what} must be a positive number of ms, got ${ms}`)
  return ms
}

class Connection implements RouterOsConnection {
  readonly closed: Promise<RouterOsClosed>
  readonly #socket: Socket
  readonly #decoder: SentenceDecoder
  readonly #timeoutMs: number
  readonly #pending = new Map<string, Pending>()
  readonly #socketClosed: Promise<void>
  #nextTag = 1
  #reason: RouterOsClosed | undefined
  #resolveClosed!: (reason: RouterOsClosed) => void

  constructor(socket: Socket, timeoutMs: number, maxWordBytes: number | undefined) {
    this.#socket = socket
    this.#timeoutMs = timeoutMs
    this.#decoder = new SentenceDecoder(maxWordBytes === undefined ? {} : { maxWordBytes })
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
    this.#socketClosed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (error) =>
      this.#end(new RouterOsClosed(`connection failed: ${error.message}`, { cause: error })),
    )
    socket.on('close', () => this.#end(new RouterOsClosed('connection closed by the router')))
  }

  get isOpen(): boolean {
    return this.#reason === undefined
  }

  async run(command: string, args?: Readonly<Record<string, string>>, options?: RouterOsCallOptions) {
    return (await this.call(command, args, options)).rows
  }

  call(
    command: string,
    args: Readonly<Record<string, string>> = {},
    options: RouterOsCallOptions = {},
  ): Promise<RouterOsReply> {
    if (this.#reason) return Promise.reject(this.#closedError(command, this.#reason))
    const tag = String(this.#nextTag++)
    let bytes: Buffer
    let timeoutMs: number
    try {
      bytes = encodeSentence(commandWords(command, args, options, tag))
      timeoutMs = checkTimeout(options.timeoutMs ?? this.#timeoutMs, 'timeoutMs')
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<RouterOsReply>((resolve, reject) => {
      const timer = setTimeout(() => this.#timeOut(tag), timeoutMs)
      this.#pending.set(tag, { command, timeoutMs, rows: [], timer, resolve, reject })
      this.#socket.write(bytes)
    })
  }

  close(): Promise<void> {
    if (!this.#reason) {
      this.#end(new RouterOsClosed('connection closed by the client'), false)
      // Polite: the router logs the session out. If it does not close its side soon, we cut it.
      this.#socket.end(encodeSentence(['/quit']))
      const cut = setTimeout(() => this.#socket.destroy(), 1000)
      cut.unref()
      void this.#socketClosed.then(() => clearTimeout(cut))
    }
    return this.#socketClosed
  }

  /** Logs in (RouterOS ≥ 6.43: name and password in one `/login`). */
  async login(user: string, password: string, timeoutMs: number): Promise<void> {
    let reply: RouterOsReply
    try {
      reply = await this.call('/login', { name: user, password }, { timeoutMs })
    } catch (error) {
      if (error instanceof RouterOsTrap) {
        throw new RouterOsLoginError(
          `RouterOS refused the login of ${JSON.stringify(user)}: ${error.routerMessage}`,
        )
      }
      throw new RouterOsConnectError(
        `login of ${JSON.stringify(user)} did not complete: ${(error as Error).message}`,
        {
          cause: error,
        },
      )
    }
    if (reply.done.ret !== undefined) {
      throw new RouterOsLoginError(
        'the router asked for the pre-6.43 challenge login, which capd does not support',
      )
    }
  }

  #timeOut(tag: string): void {
    const pending = this.#pending.get(tag)
    if (!pending) return
    this.#pending.delete(tag)
    pending.reject(new RouterOsTimeout(pending.command, pending.timeoutMs, tag))
    // Its late `!trap interrupted` / `!done` carry a tag no longer pending, and are dropped.
    if (!this.#reason)
      this.#socket.write(encodeSentence(['/cancel', `=tag=${tag}`, `.tag=${this.#nextTag++}`]))
  }

  #onData(chunk: Buffer): void {
    if (this.#reason) return
    let sentences: string[][]
    try {
      sentences = this.#decoder.push(chunk)
    } catch (error) {
      this.#end(new RouterOsClosed(`unreadable reply: ${(error as Error).message}`, { cause: error }))
      return
    }
    for (const words of sentences) {
      if (this.#reason) return
      this.#dispatch(words)
    }
  }

  #dispatch(words: string[]): void {
    const reply = parseReply(words)
    if (reply.kind === '!fatal') {
      const reason = [...reply.other, reply.attributes.message].filter(Boolean).join(' ') || 'no reason given'
      this.#end(new RouterOsClosed(`router ended the session (!fatal): ${reason}`))
      return
    }
    const pending = reply.tag === undefined ? undefined : this.#pending.get(reply.tag)
    if (!pending) return
    if (reply.kind === '!re') {
      pending.rows.push(reply.attributes)
    } else if (reply.kind === '!trap' || reply.kind === '!done') {
      clearTimeout(pending.timer)
      this.#pending.delete(reply.tag!)
      if (reply.kind === '!done') {
        pending.resolve({ rows: pending.rows, done: reply.attributes })
      } else {
        const { message, category } = reply.attributes
        const code = category !== undefined && /^\d+$/.test(category) ? Number(category) : undefined
        pending.reject(
          new RouterOsTrap(message ?? (reply.other.join(' ') || 'unspecified error'), code, pending.command),
        )
      }
    }
    // `!empty` (RouterOS ≥ 7.18: nothing to print, `!done` follows) and reply types newer than this
    // code need nothing: the call ends on `!done`.
  }

  /** The connection is over: every outstanding call rejects now, and `closed` resolves. */
  #end(reason: RouterOsClosed, destroy = true): void {
    if (this.#reason) return
    this.#reason = reason
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(this.#closedError(pending.command, reason))
    }
    this.#pending.clear()
    if (destroy) this.#socket.destroy()
    this.#resolveClosed(reason)
  }

  #closedError(command: string, reason: RouterOsClosed): RouterOsClosed {
    return new RouterOsClosed(`${command}: ${reason.message}`, { cause: reason.cause ?? reason })
  }
}

/** Connects and logs in; rejects with RouterOsLoginError for bad credentials, RouterOsConnectError otherwise. */
export async function connectRouterOs(options: RouterOsConnectOptions): Promise<RouterOsConnection> {
  const { host, tls, user, password } = options
  if (!host) throw new TypeError('host is required')
  const port = options.port ?? (tls ? 8729 : 8728)
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs')
  const connectTimeoutMs = checkTimeout(options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS, 'connectTimeoutMs')
  const deadline = Date.now() + connectTimeoutMs
  const socket = await dial({ host, port, timeoutMs: connectTimeoutMs, ...(tls ? { tls } : {}) })
  const connection = new Connection(socket, timeoutMs, options.maxWordBytes)
  try {
    await connection.login(user, password, Math.max(1, deadline - Date.now()))
  } catch (error) {
    socket.destroy()
    throw error
  }
  return connection
}
