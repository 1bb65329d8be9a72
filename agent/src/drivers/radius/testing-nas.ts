/** A NAS for tests: sends Accounting-Requests built by our own codec and retransmits each until a verified answer comes. */
import { createSocket } from 'node:dgram'
import { type AccountingRecord, accountingAttributes } from './accounting-record.js'
import { ACCOUNTING_RESPONSE, accountingRequest, responseAuthentic } from './codec.js'

export interface TestNas {
  /** Builds the request (a fresh identifier) without sending it. */
  build(record: AccountingRecord): Buffer
  /** Sends `request` and again every `retryMs` until the agent answers it correctly. */
  deliver(request: Buffer): Promise<void>
  /** Sends once, answered or not (a duplicate copy, or a packet meant to be ignored). */
  fire(request: Buffer): void
  /** Valid answers received so far (duplicates answered too count). */
  readonly answers: number
  close(): Promise<void>
}

export async function testNas(
  port: number,
  secret: string,
  { retryMs = 40, host = '127.0.0.1' } = {},
): Promise<TestNas> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  let identifier = 0
  let answers = 0
  const waiting = new Map<number, { request: Buffer; done: () => void }[]>()
  socket.on('message', (response) => {
    if (response[0] !== ACCOUNTING_RESPONSE) return
    for (const waiter of waiting.get(response[1]!) ?? []) {
      if (!responseAuthentic(response, waiter.request, secret)) continue
      answers++
      waiter.done()
    }
  })
  const fire = (request: Buffer) => socket.send(request, port, host)
  return {
    build: (record) => accountingRequest(identifier++ & 0xff, accountingAttributes(record), secret),
    fire,
    get answers() {
      return answers
    },
    async deliver(request) {
      const id = request[1]!
      let answered = false
      const waiter = { request, done: () => (answered = true) }
      waiting.set(id, [...(waiting.get(id) ?? []), waiter])
      try {
        for (let tries = 0; !answered; tries++) {
          if (tries > 500) throw new Error(`request ${id} never answered`)
          fire(request)
          const until = Date.now() + retryMs
          while (!answered && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5))
        }
      } finally {
        waiting.set(
          id,
          (waiting.get(id) ?? []).filter((w) => w !== waiter),
        )
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
