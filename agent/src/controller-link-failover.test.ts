/**
 * The link given several controllers: a refused token is the end only once every controller
 * refused it; a close that says reconnecting cannot help (revoked, replaced) ends it at once.
 */
import type { AddressInfo } from 'node:net'
import { CLOSE, PROTOCOL_VERSION } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { ControllerLink } from './controller-link.js'
import { type BookingController, bookingController, Ledger } from './testing-booking-controllers.js'
import { until } from './testing-failover-agent.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function link(urls: string[]) {
  const logs: string[] = []
  const connected: string[] = []
  const l = new ControllerLink(
    urls,
    'capda_agt_x.secret',
    {
      hello: () => ({
        v: PROTOCOL_VERSION,
        type: 'hello',
        agentId: 'agt_x',
        epoch: 'e1',
        lastSeq: 0,
        agentVersion: 't',
        driver: 'sim',
      }),
      message: () => {},
      connected: (url) => connected.push(url),
      disconnected: () => {},
      log: (line) => logs.push(line),
    },
    { minBackoffMs: 10, maxBackoffMs: 40 },
  )
  cleanup.push(() => l.close())
  l.start()
  return { link: l, logs, connected }
}

async function controllers(n: number): Promise<BookingController[]> {
  const ledger = new Ledger()
  const all: BookingController[] = []
  for (let i = 0; i < n; i++) {
    const c = await bookingController(`c${i}`, ledger, () => [])
    cleanup.push(() => c.kill())
    all.push(c)
  }
  return all
}

/** A controller that takes the connection, then closes it with `code`. */
async function closingController(code: number) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  cleanup.push(() => new Promise((resolve) => server.close(resolve)))
  const state = { dials: 0 }
  server.on('connection', (socket) => {
    state.dials++
    socket.close(code, 'closing')
  })
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, state }
}

describe('a link with one controller', () => {
  it.each([401, 403] as const)('stops after the first HTTP %i, naming it', async (status) => {
    const [only] = await controllers(1)
    only!.upgrade = status
    const { link: l } = link([only!.url])
    await until('the link to give up', () => l.refused !== null)
    expect(l.refused).toBe(
      `the controller refused this agent's token (HTTP ${status}); fix "token" in the config`,
    )
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(only!.dials).toBe(1)
  })

  it('keeps trying after an HTTP 500', async () => {
    const [only] = await controllers(1)
    only!.upgrade = 500
    const { link: l } = link([only!.url])
    await until('several dials', () => only!.dials >= 3)
    expect(l.refused).toBeNull()
  })
})

describe('a link with several controllers', () => {
  it('stops when every controller refused the token, after asking each once', async () => {
    const cs = await controllers(3)
    for (const c of cs) c.upgrade = 401
    const { link: l, logs } = link(cs.map((c) => c.url))
    await until('the link to give up', () => l.refused !== null)
    expect(l.refused).toMatch(/every controller refused this agent's token/)
    expect(logs.some((line) => line.includes('every controller refused'))).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(cs.map((c) => c.dials)).toEqual([1, 1, 1])
  })

  it('keeps going round while only some refuse the token, and takes the one that accepts', async () => {
    const cs = await controllers(3)
    cs[0]!.upgrade = 401
    cs[1]!.upgrade = 500
    cs[2]!.upgrade = 401
    const { link: l, connected } = link(cs.map((c) => c.url))
    await until('several rounds', () => cs[1]!.dials >= 3)
    expect(l.refused).toBeNull()
    cs[1]!.upgrade = 'accept'
    await until('the link to connect', () => l.connected)
    expect(connected).toEqual([cs[1]!.url])
    expect(l.connectedUrl).toBe(cs[1]!.url)
  })

  it.each([
    ['revoked', CLOSE.revoked],
    ['replaced', CLOSE.replaced],
  ])('stops at once when a controller says %s, without trying the others', async (_name, code) => {
    const closing = await closingController(code)
    const [other] = await controllers(1)
    const { link: l } = link([closing.url, other!.url])
    await until('the link to stop', () => l.refused !== null)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(closing.state.dials).toBe(1)
    expect(other!.dials).toBe(0)
  })
})
