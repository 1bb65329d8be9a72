import type { AddressInfo } from 'node:net'
import { CLOSE, terminalClose } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { ControllerLink } from './controller-link.js'

const hello = () =>
  ({ v: 1, type: 'hello', agentId: 'a', version: '0', lastSeq: 0, subscribers: [] }) as never

/** A controller that closes every connection with `code`, counting how often the agent dials. */
async function closingController(code: number) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const state = { dials: 0 }
  server.on('connection', (socket) => {
    state.dials++
    socket.close(code, 'closing')
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { server, url, state }
}

const links: ControllerLink[] = []
const servers: WebSocketServer[] = []
afterEach(async () => {
  for (const link of links.splice(0)) link.close()
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

describe('ControllerLink close handling', () => {
  it.each(Object.entries(CLOSE))(
    'after a %s close (%i) reconnects exactly when the shared table says so',
    async (_name, code) => {
      const { server, url, state } = await closingController(code)
      servers.push(server)
      const logs: string[] = []
      let closes = 0
      const link = new ControllerLink(
        url,
        'token',
        {
          hello,
          message: () => {},
          connected: () => {},
          disconnected: () => {
            closes++
          },
          log: (line) => logs.push(line),
        },
        { minBackoffMs: 2, maxBackoffMs: 4 },
      )
      links.push(link)
      link.start()
      const terminal = terminalClose(code)
      // Wait for a first close, then long enough for a reconnecting link to dial again.
      await expect.poll(() => closes, { timeout: 5_000 }).toBeGreaterThanOrEqual(1)
      if (terminal) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(state.dials).toBe(1)
        expect(link.refused).toBe(terminal)
        expect(logs.some((line) => line.includes(terminal))).toBe(true)
      } else {
        await expect.poll(() => state.dials, { timeout: 5_000 }).toBeGreaterThanOrEqual(2)
        expect(link.refused).toBeNull()
      }
    },
  )
})
