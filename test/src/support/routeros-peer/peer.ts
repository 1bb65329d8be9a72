/**
 * A RouterOS API peer for tests: a real TCP (or TLS) server speaking the wire protocol — login,
 * tagged concurrent commands, `/cancel`, `!empty`, `!fatal` — over a small router model, with
 * faults a real network produces: tiny TCP chunks, a RST mid-reply, silence, delay.
 */
import net from 'node:net'
import tls from 'node:tls'
import { seededRandom } from '@capd/protocol/testing'
import { RouterState } from './router-state.js'
import { PeerTrap } from './trap.js'
import { encodeWords, WordReader } from './wire.js'

export interface RouterOsPeerFaults {
  /** Write every reply in TCP chunks of this many bytes (min, max), one write at a time. */
  splitChunks?: [number, number]
  /** The next reply is cut in the middle and the connection reset (RST). */
  resetMidReply?: boolean
  /** Read commands, never answer (not even `/cancel`). */
  silent?: boolean
  /** Hold each command this long (or a random time in [min, max]) before running it; `/cancel` ends it. */
  delayMs?: number | [number, number]
  /** The next command gets `!fatal <reason>` and the connection closes. */
  fatal?: string | boolean
  /** Where `.tag=` goes in a reply sentence (default: a random position after the reply word). */
  tagPlacement?: 'random' | 'first' | 'last'
  /** Every run of this command gets `!trap` with this message (a user without the right to read it). */
  trapOn?: { command: string; message: string }
}

export type RouterOsPeerTls = { key: string | Buffer; cert: string | Buffer } | { anonymousDh: true }

export interface RouterOsPeerOptions {
  users: Record<string, string>
  port?: number
  host?: string
  tls?: RouterOsPeerTls
  /** RouterOS ≥ 7.18 `!empty` replies (default true). */
  emptyReplies?: boolean
  /** Seed for tag placement, chunk sizes and delays. */
  seed?: number
}

export interface PeerSentence {
  /** Which connection (1, 2, … in accept order). */
  connection: number
  words: string[]
}

export interface RouterOsPeer {
  readonly host: string
  readonly port: number
  readonly state: RouterState
  readonly faults: RouterOsPeerFaults
  /** Every sentence clients sent, in order. */
  readonly received: PeerSentence[]
  /** Every sentence the peer sent or began to send (with `.tag` where it placed it). */
  readonly sent: PeerSentence[]
  /** Connections open now. */
  readonly connections: number
  setBytes(queueName: string, up: bigint | number, down: bigint | number): void
  addBytes(queueName: string, up: bigint | number, down: bigint | number): void
  /** Counters to zero, uptime restarts, `.id`s change; open connections are reset as the box goes down. */
  reboot(): void
  close(): Promise<void>
}

const ANONYMOUS_DH =
  'ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:ADH-AES256-SHA256:ADH-AES128-SHA256:ADH-AES256-SHA:@SECLEVEL=0'

interface Parsed {
  command: string
  args: Record<string, string>
  queries: string[]
  tag: string | undefined
}

function parse(words: readonly string[]): Parsed {
  const [command = '', ...rest] = words
  const parsed: Parsed = { command, args: {}, queries: [], tag: undefined }
  for (const word of rest) {
    if (word.startsWith('=')) {
      const end = word.indexOf('=', 1)
      parsed.args[end < 0 ? word.slice(1) : word.slice(1, end)] = end < 0 ? '' : word.slice(end + 1)
    } else if (word.startsWith('.tag=')) parsed.tag = word.slice(5)
    else if (word.startsWith('.proplist=')) parsed.args['.proplist'] = word.slice(10)
    else if (word.startsWith('?')) parsed.queries.push(word)
  }
  return parsed
}

export async function startRouterOsPeer(options: RouterOsPeerOptions): Promise<RouterOsPeer> {
  const host = options.host ?? '127.0.0.1'
  const state = new RouterState()
  state.emptyReplies = options.emptyReplies ?? true
  const faults: RouterOsPeerFaults = {}
  const received: PeerSentence[] = []
  const sent: PeerSentence[] = []
  const random = seededRandom(options.seed ?? 7)
  const sockets = new Map<net.Socket, net.Socket>()
  let connectionCount = 0

  const pick = (range: number | [number, number] | undefined) =>
    range === undefined ? 0 : typeof range === 'number' ? range : random.int(range[0], range[1])

  /** `raw` is the TCP socket under `socket` (the same one without TLS): only it can send a RST. */
  function serve(socket: net.Socket, raw: net.Socket): void {
    const connection = ++connectionCount
    const reader = new WordReader()
    const running = new Map<string, () => void>()
    let user: string | undefined
    let writes = Promise.resolve()
    sockets.set(socket, raw)
    raw.setNoDelay(true)
    socket.on('error', () => {})
    socket.on('close', () => {
      sockets.delete(socket)
      for (const stop of running.values()) stop()
    })

    const writeChunk = (bytes: Buffer) => new Promise<void>((resolve) => socket.write(bytes, () => resolve()))
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

    /** Writes sentences in order; faults apply to the bytes of one whole reply. */
    function send(sentences: string[][], tag: string | undefined, then?: () => void): void {
      const placed = sentences.map((words) => {
        if (tag === undefined || words[0] === '!fatal') return words
        const where = faults.tagPlacement ?? 'random'
        const at = where === 'first' ? 1 : where === 'last' ? words.length : random.int(1, words.length)
        return [...words.slice(0, at), `.tag=${tag}`, ...words.slice(at)]
      })
      const bytes = Buffer.concat(placed.map((words) => encodeWords(words)))
      writes = writes.then(async () => {
        if (socket.destroyed) return
        for (const words of placed) sent.push({ connection, words })
        if (faults.resetMidReply) {
          await writeChunk(bytes.subarray(0, Math.max(1, bytes.length >> 1)))
          await pause(20) // let the half reply reach the client before the RST
          raw.resetAndDestroy()
          return
        }
        if (faults.splitChunks) {
          for (let at = 0; at < bytes.length && !socket.destroyed; ) {
            const size = random.int(...faults.splitChunks)
            await writeChunk(bytes.subarray(at, at + size))
            at += size
            await new Promise(setImmediate)
          }
        } else {
          await writeChunk(bytes)
        }
        then?.()
      })
      // A broken write chain would silently stall every later reply: end the connection instead.
      writes = writes.catch(() => {
        socket.destroy()
      })
    }

    const trapWords = (error: unknown) => {
      const trap = error instanceof PeerTrap ? error : new PeerTrap(String(error), 4)
      const words = ['!trap', `=message=${trap.message}`]
      if (trap.category !== undefined) words.splice(1, 0, `=category=${trap.category}`)
      return words
    }

    function execute({ command, args, queries, tag }: Parsed): void {
      let result: ReturnType<RouterState['execute']>
      try {
        if (faults.trapOn?.command === command) throw new PeerTrap(faults.trapOn.message, 0)
        result = state.execute(command, args, queries)
      } catch (error) {
        send([trapWords(error), ['!done']], tag)
        return
      }
      const sentences = (result.rows ?? []).map((row) => [
        '!re',
        ...Object.entries(row).map(([k, v]) => `=${k}=${v}`),
      ])
      if (result.rows?.length === 0 && state.emptyReplies) sentences.push(['!empty'])
      sentences.push(result.ret === undefined ? ['!done'] : ['!done', `=ret=${result.ret}`])
      send(sentences, tag)
    }

    function onSentence(words: string[]): void {
      received.push({ connection, words })
      if (faults.silent) return
      if (faults.fatal) {
        const reason = typeof faults.fatal === 'string' ? faults.fatal : 'session terminated by peer fault'
        send([['!fatal', reason]], undefined, () => socket.end())
        return
      }
      const parsed = parse(words)
      const { command, args, tag } = parsed
      if (command === '/quit') {
        send([['!fatal', 'session terminated on request']], undefined, () => socket.end())
      } else if (command === '/login') {
        const known =
          args.name !== undefined &&
          Object.hasOwn(options.users, args.name) &&
          options.users[args.name] === args.password
        if (known) user = args.name
        send(known ? [['!done']] : [['!trap', '=message=invalid user name or password (6)'], ['!done']], tag)
      } else if (user === undefined) {
        send([['!trap', '=message=not logged in'], ['!done']], tag)
      } else if (command === '/cancel') {
        const targets = args.tag === undefined ? [...running.keys()] : [args.tag]
        for (const target of targets) running.get(target)?.()
        send([['!done']], tag)
      } else {
        const delay = pick(faults.delayMs)
        if (delay === 0 || tag === undefined) {
          execute(parsed)
          return
        }
        const timer = setTimeout(() => {
          running.delete(tag)
          execute(parsed)
        }, delay)
        running.set(tag, () => {
          clearTimeout(timer)
          running.delete(tag)
          send([['!trap', '=category=2', '=message=interrupted'], ['!done']], tag)
        })
      }
    }

    socket.on('data', (chunk: Buffer) => {
      let sentences: string[][]
      try {
        sentences = reader.feed(chunk)
      } catch {
        socket.destroy()
        return
      }
      for (const words of sentences) onSentence(words)
    })
  }

  const secureContext =
    options.tls === undefined
      ? undefined
      : tls.createSecureContext(
          'anonymousDh' in options.tls
            ? { ciphers: ANONYMOUS_DH, maxVersion: 'TLSv1.2', dhparam: 'auto' }
            : { key: options.tls.key, cert: options.tls.cert },
        )
  // TLS is layered by hand over a plain TCP server: tls.Server hides the TCP socket, and a
  // TLSSocket cannot resetAndDestroy() itself.
  const raws = new Set<net.Socket>()
  const server = net.createServer((raw) => {
    raws.add(raw)
    raw.on('close', () => raws.delete(raw))
    raw.on('error', () => {})
    if (!secureContext) {
      serve(raw, raw)
      return
    }
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext })
    secure.on('error', () => secure.destroy())
    secure.once('secure', () => serve(secure, raw))
  })
  server.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port

  return {
    host,
    port,
    state,
    faults,
    received,
    sent,
    get connections() {
      return sockets.size
    },
    setBytes: (name, up, down) => state.setBytes(name, up, down),
    addBytes: (name, up, down) => state.addBytes(name, up, down),
    reboot() {
      state.reboot()
      for (const raw of sockets.values()) raw.resetAndDestroy()
    },
    close() {
      for (const socket of sockets.keys()) socket.destroy()
      for (const raw of raws) raw.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
