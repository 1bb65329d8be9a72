/** A scripted agent for hub tests: a real `ws` client that records what the controller sends. */
import { PROTOCOL_VERSION } from '@capd/protocol'
import WebSocket from 'ws'

// biome-ignore lint/suspicious/noExplicitAny: messages are checked field by field in tests
export type Received = any

export interface TestAgent {
  readonly received: Received[]
  /** The next message of `type` not returned before (waits up to 3 s). */
  next(type: string): Promise<Received>
  send(message: object | string): void
  /** Resolves with the close code once the controller (or the client) closed the socket. */
  readonly closed: Promise<{ code: number; reason: string }>
  close(): void
}

/** Opens a connection with `token`; rejects with the HTTP status if the upgrade is refused. */
export function connectAgent(wsUrl: string, token: string | undefined): Promise<TestAgent> {
  const ws = new WebSocket(
    wsUrl,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  )
  const received: Received[] = []
  const returned = new Map<string, number>()
  const waiters: (() => void)[] = []
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)))
    for (const wake of waiters.splice(0)) wake()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) })
      for (const wake of waiters.splice(0)) wake()
    })
  })
  const agent: TestAgent = {
    received,
    closed,
    next: async (type) => {
      const deadline = Date.now() + 3000
      for (;;) {
        const skip = returned.get(type) ?? 0
        const found = received.filter((m) => m.type === type)[skip]
        if (found) {
          returned.set(type, skip + 1)
          return found
        }
        if (Date.now() > deadline) {
          throw new Error(`no "${type}" message; got ${JSON.stringify(received.map((m) => m.type))}`)
        }
        await new Promise<void>((wake) => {
          waiters.push(wake)
          setTimeout(wake, 50)
        })
      }
    },
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    close: () => ws.close(),
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(agent))
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode }))
      res.resume()
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

/** The HTTP status an upgrade attempt got (101 when it succeeded). */
export async function upgradeStatus(wsUrl: string, token: string | undefined): Promise<number> {
  try {
    const agent = await connectAgent(wsUrl, token)
    agent.close()
    return 101
  } catch (err) {
    const status = (err as { status?: number }).status
    if (status === undefined) throw err
    return status
  }
}

export const hello = (agentId: string, epoch = 'epoch-a', lastSeq = 0, agentVersion = '0.2.0') => ({
  v: PROTOCOL_VERSION,
  type: 'hello',
  agentId,
  epoch,
  lastSeq,
  agentVersion,
  driver: 'simulated',
})

export interface EntryInput {
  seq: number
  subscriberId: string
  down: number
  up?: number
  periodStart?: string
}

export const usage = (epoch: string, entries: EntryInput[], periodStart = '2026-03-01T00:00:00.000Z') => ({
  v: PROTOCOL_VERSION,
  type: 'usage',
  epoch,
  entries: entries.map((e) => ({
    seq: e.seq,
    subscriberId: e.subscriberId,
    periodStart: e.periodStart ?? periodStart,
    down: e.down,
    up: e.up ?? 0,
    atMs: Date.parse('2026-03-10T12:00:00Z'),
  })),
})

export const stateReport = (
  subscriberId: string,
  state: 'open' | 'blocked' | 'throttled',
  limitVersion: number,
  usedBytes: number,
) => ({
  v: PROTOCOL_VERSION,
  type: 'state',
  atMs: Date.parse('2026-03-10T12:00:00Z'),
  subscribers: [{ subscriberId, state, limitVersion, usedBytes }],
})
