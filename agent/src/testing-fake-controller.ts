/** A controller made of a bare WebSocket server, for agent tests: it says what the test scripts. */
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'

// biome-ignore lint/suspicious/noExplicitAny: messages are checked field by field in tests
export type Received = any

export interface FakeController {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string
  /** Connections accepted so far. */
  readonly connections: number
  /** Every message any agent sent, in order. */
  readonly received: Received[]
  /** Sends to the newest connection. */
  send(message: object): void
  /** Resolves once a message of `type` beyond the first `after` of that type has arrived. */
  next(type: string, after?: number): Promise<Received>
  close(): Promise<void>
}

export async function fakeController(
  onHello: (socket: WebSocket, hello: Received) => void = () => {},
): Promise<FakeController> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/agent/v1/ws' })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const received: Received[] = []
  let newest: WebSocket | undefined
  let connections = 0
  const waiters: (() => void)[] = []
  server.on('connection', (socket) => {
    connections++
    newest = socket
    socket.on('message', (data) => {
      const message = JSON.parse(String(data))
      received.push(message)
      if (message.type === 'hello') onHello(socket, message)
      for (const wake of waiters.splice(0)) wake()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    get connections() {
      return connections
    },
    received,
    send: (message) => newest?.send(JSON.stringify(message)),
    async next(type, after = 0) {
      for (;;) {
        const found = received.filter((m) => m.type === type)
        if (found.length > after) return found[after]
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${type} message within 3 s`)), 3000)
          waiters.push(() => {
            clearTimeout(timer)
            resolve()
          })
        })
      }
    },
    async close() {
      for (const client of server.clients) client.terminate()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export { WebSocket }
