/**
 * A TCP proxy between the agent and the controller that plays a bad network: it can swallow
 * everything in both directions (a black hole: the sender's kernel accepted the bytes, nobody gets
 * them), cut every connection, and hold back the controller's answers on new connections for a while
 * (after the WebSocket handshake).
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** Bytes in both directions are dropped until `pass()`; connections stay open. */
  blackhole(): void
  /** Bytes flow again. */
  pass(): void
  /** Destroys every open connection (both ends see a reset). */
  cut(): void
  /**
   * On connections accepted from now on, the upstream's first chunk (the HTTP upgrade answer) passes
   * at once and everything after it reaches the client only `ms` later.
   */
  holdRepliesOnNewConnections(ms: number): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let dropping = false
  let holdMs = 0
  const open = new Set<Socket>()
  const track = (socket: Socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    socket.on('error', () => {})
  }

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost)
    track(client)
    track(upstream)
    const hold = holdMs
    let holdUntil = 0
    let first = true
    const held: Buffer[] = []
    let flushTimer: NodeJS.Timeout | undefined
    const flush = () => {
      for (const chunk of held.splice(0)) if (!client.destroyed) client.write(chunk)
    }
    client.on('data', (chunk: Buffer) => {
      if (!dropping && !upstream.destroyed) upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (dropping || client.destroyed) return
      if (first) {
        first = false
        holdUntil = Date.now() + hold
        client.write(chunk)
        return
      }
      if (Date.now() < holdUntil || held.length > 0) {
        held.push(chunk)
        flushTimer ??= setTimeout(flush, Math.max(0, holdUntil - Date.now()))
        return
      }
      client.write(chunk)
    })
    const end = () => {
      if (flushTimer) clearTimeout(flushTimer)
      client.destroy()
      upstream.destroy()
    }
    client.once('close', end)
    upstream.once('close', end)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  return {
    port,
    blackhole: () => {
      dropping = true
    },
    pass: () => {
      dropping = false
    },
    cut: () => {
      for (const socket of open) socket.destroy()
    },
    holdRepliesOnNewConnections: (ms) => {
      holdMs = ms
    },
    close: async () => {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
