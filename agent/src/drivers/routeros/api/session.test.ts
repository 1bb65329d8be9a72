import { describe, expect, it, vi } from 'vitest'
import type { RouterOsConnection, RouterOsReply } from './client.js'
import { RouterOsClosed, RouterOsConnectError, RouterOsLoginError, RouterOsTimeout } from './errors.js'
import { createRouterOsSession, type RouterOsSessionOptions } from './session.js'

/** A connection whose calls wait until the test answers them. */
class FakeConnection implements RouterOsConnection {
  readonly calls: { command: string; resolve(reply: RouterOsReply): void; reject(error: Error): void }[] = []
  isOpen = true
  closeCalls = 0
  readonly closed: Promise<RouterOsClosed>
  #resolveClosed!: (reason: RouterOsClosed) => void

  constructor() {
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
  }

  async run(command: string) {
    return (await this.call(command)).rows
  }

  call(command: string): Promise<RouterOsReply> {
    if (!this.isOpen) return Promise.reject(new RouterOsClosed('closed'))
    return new Promise((resolve, reject) => this.calls.push({ command, resolve, reject }))
  }

  /** Like the real one: outstanding calls reject. */
  async close() {
    this.closeCalls++
    this.drop()
  }

  drop() {
    this.isOpen = false
    const reason = new RouterOsClosed('gone')
    for (const call of this.calls.splice(0)) call.reject(reason)
    this.#resolveClosed(reason)
  }

  fail(error: Error) {
    this.calls.shift()!.reject(error)
  }

  answer(index = 0) {
    const [call] = this.calls.splice(index, 1)
    call!.resolve({ rows: [{ command: call!.command }], done: {} })
  }
}

function harness(extra: Partial<RouterOsSessionOptions> = {}) {
  let nowMs = 1_000_000
  const connections: FakeConnection[] = []
  const failures: Error[] = []
  const connect = vi.fn(async () => {
    const failure = failures.shift()
    if (failure) throw failure
    const connection = new FakeConnection()
    connections.push(connection)
    return connection
  })
  const session = createRouterOsSession({
    host: 'r1',
    user: 'u',
    password: 'p',
    connect,
    now: () => nowMs,
    random: () => 0,
    backoff: { initialMs: 1000, maxMs: 60_000 },
    ...extra,
  })
  return {
    session,
    connect,
    connections,
    failures,
    advance: (ms: number) => {
      nowMs += ms
    },
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('RouterOsSession', () => {
  it('shares one connection and keeps at most `concurrency` calls in flight', async () => {
    const { session, connect, connections } = harness({ concurrency: 4 })
    const results = Array.from({ length: 10 }, (_, i) => session.run(`/c${i}`))
    await settle()
    expect(connect).toHaveBeenCalledTimes(1)
    const [connection] = connections
    expect(connection!.calls.map((call) => call.command)).toEqual(['/c0', '/c1', '/c2', '/c3'])
    connection!.answer(2)
    await settle()
    expect(connection!.calls).toHaveLength(4)
    while (connection!.calls.length > 0) {
      connection!.answer()
      await settle()
    }
    const rows = await Promise.all(results)
    expect(rows.map(([row]) => row!.command)).toEqual(Array.from({ length: 10 }, (_, i) => `/c${i}`))
    expect(session.state).toBe('open')
  })

  it('reconnects at once after a drop, then backs off while attempts fail', async () => {
    const { session, connect, connections, failures, advance } = harness()
    const first = session.run('/a')
    await settle()
    connections[0]!.drop()
    await expect(first).rejects.toBeInstanceOf(RouterOsClosed)

    failures.push(new RouterOsConnectError('refused'), new RouterOsConnectError('refused'))
    await expect(session.run('/b')).rejects.toThrow('refused')
    expect(connect).toHaveBeenCalledTimes(2)
    expect(session.state).toBe('waiting')

    // random() = 0 → half the nominal 1 s: no dial before 500 ms have passed; calls fail fast.
    advance(499)
    await expect(session.run('/c')).rejects.toThrow(/not reconnecting for another 1 ms.*refused/)
    expect(connect).toHaveBeenCalledTimes(2)

    advance(1)
    await expect(session.run('/d')).rejects.toThrow('refused')
    expect(connect).toHaveBeenCalledTimes(3)
    advance(999) // second failure: nominal 2 s, so 1 s
    await expect(session.run('/e')).rejects.toBeInstanceOf(RouterOsConnectError)
    expect(connect).toHaveBeenCalledTimes(3)

    advance(1)
    const ok = session.run('/f')
    await settle()
    connections[1]!.answer()
    expect(await ok).toEqual([{ command: '/f' }])
    expect(session.state).toBe('open')
  })

  it('stops dialing after the router refuses the credentials', async () => {
    const { session, connect, failures, advance } = harness()
    const refused = new RouterOsLoginError('invalid user name or password (6)')
    failures.push(refused)
    await expect(session.run('/a')).rejects.toBe(refused)
    advance(3_600_000)
    await expect(session.run('/b')).rejects.toBe(refused)
    expect(connect).toHaveBeenCalledTimes(1)
    expect(session.state).toBe('failed')
    expect(session.lastError).toBe(refused)
  })

  it('drops a connection after consecutive timeouts, so the next call dials afresh', async () => {
    const { session, connect, connections } = harness({ maxConsecutiveTimeouts: 2 })
    for (const command of ['/a', '/b']) {
      const call = session.run(command)
      await settle()
      connections[0]!.fail(new RouterOsTimeout(command, 10, '1'))
      await expect(call).rejects.toBeInstanceOf(RouterOsTimeout)
    }
    expect(connections[0]!.closeCalls).toBe(1)
    const next = session.run('/c')
    await settle()
    expect(connect).toHaveBeenCalledTimes(2)
    connections[1]!.answer()
    await expect(next).resolves.toEqual([{ command: '/c' }])
  })

  it('a single timeout between successes keeps the connection', async () => {
    const { session, connections } = harness({ maxConsecutiveTimeouts: 2 })
    for (const outcome of ['timeout', 'ok', 'timeout', 'ok']) {
      const call = session.run('/a')
      await settle()
      if (outcome === 'ok') connections[0]!.answer()
      else connections[0]!.fail(new RouterOsTimeout('/a', 10, '1'))
      await call.catch(() => {})
    }
    expect(connections[0]!.closeCalls).toBe(0)
  })

  it('close rejects running and queued calls, and later ones', async () => {
    const { session, connections } = harness({ concurrency: 1 })
    const running = session.run('/a')
    const queued = session.run('/b')
    await settle()
    const closing = session.close()
    await expect(running).rejects.toBeInstanceOf(RouterOsClosed)
    await expect(queued).rejects.toBeInstanceOf(RouterOsClosed)
    await closing
    expect(connections[0]!.closeCalls).toBe(1)
    expect(session.state).toBe('closed')
    await expect(session.run('/c')).rejects.toBeInstanceOf(RouterOsClosed)
  })
})
