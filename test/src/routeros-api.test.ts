/** The agent's RouterOS API client against the RouterOS peer, over real TCP and TLS on 127.0.0.1. */
import net from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  connectRouterOs,
  createRouterOsSession,
  RouterOsClosed,
  RouterOsConnectError,
  type RouterOsConnection,
  type RouterOsConnectOptions,
  RouterOsLoginError,
  type RouterOsSession,
  RouterOsTimeout,
  RouterOsTrap,
} from '../../agent/src/drivers/routeros/api/index.js'
import { prerequisite } from './support/prerequisite.js'
import {
  type RouterOsPeer,
  type RouterOsPeerOptions,
  startRouterOsPeer,
} from './support/routeros-peer/index.js'
import { makeTestCerts, opensslUnavailableReason } from './support/routeros-peer/test-certs.js'

const USERS = { admin: 'secret', capd: 'pässwörd ✓' }

/** Anything that escaped as an uncaught exception or unhandled rejection fails the test it happened in. */
const escaped: unknown[] = []
const record = (error: unknown) => escaped.push(error)
beforeAll(() => {
  process.on('uncaughtException', record)
  process.on('unhandledRejection', record)
})
afterAll(() => {
  process.off('uncaughtException', record)
  process.off('unhandledRejection', record)
})

async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

let peer: RouterOsPeer
let cleanups: (() => Promise<unknown>)[] = []

async function startPeer(options: Partial<RouterOsPeerOptions> = {}): Promise<RouterOsPeer> {
  const started = await startRouterOsPeer({ users: USERS, ...options })
  cleanups.push(() => started.close())
  return started
}

function options(extra: Partial<RouterOsConnectOptions> = {}): RouterOsConnectOptions {
  return {
    host: peer.host,
    port: peer.port,
    user: 'admin',
    password: 'secret',
    timeoutMs: 5000,
    connectTimeoutMs: 5000,
    ...extra,
  }
}

async function connect(extra: Partial<RouterOsConnectOptions> = {}): Promise<RouterOsConnection> {
  const connection = await connectRouterOs(options(extra))
  cleanups.push(() => connection.close())
  return connection
}

function session(extra: Partial<Parameters<typeof createRouterOsSession>[0]> = {}): RouterOsSession {
  const created = createRouterOsSession({ ...options(), ...extra })
  cleanups.push(() => created.close())
  return created
}

async function addQueues(connection: RouterOsConnection, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await connection.run('/queue/simple/add', { name: `q${i}`, target: `10.0.${i >> 8}.${i & 255}` })
  }
}

const sentKinds = (tag?: string) =>
  peer.sent
    .filter(({ words }) => tag === undefined || words.includes(`.tag=${tag}`))
    .map(({ words }) => words[0])

beforeEach(async () => {
  escaped.length = 0
  peer = await startPeer()
})

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  cleanups = []
  expect(escaped).toEqual([])
})

describe('login', () => {
  it('logs in with name and password (UTF-8) in one /login', async () => {
    const connection = await connect({ user: 'capd', password: USERS.capd })
    expect(await connection.run('/system/identity/print')).toEqual([{ name: 'MikroTik' }])
    expect(peer.received[0]!.words).toEqual(['/login', '=name=capd', `=password=${USERS.capd}`, '.tag=1'])
  })

  it('a wrong password or an unknown user is a RouterOsLoginError, and the socket is closed', async () => {
    for (const [user, password] of [
      ['admin', 'wrong'],
      ['nobody', 'secret'],
    ]) {
      const failure = connectRouterOs(options({ user, password }))
      await expect(failure).rejects.toBeInstanceOf(RouterOsLoginError)
      await expect(failure).rejects.toThrow(/invalid user name or password/)
      await expect(failure).rejects.toMatchObject({ retryable: false })
    }
    await until('the peer to see both sockets closed', () => peer.connections === 0)
  })

  it('a closed port and a router that never answers the login are RouterOsConnectErrors', async () => {
    const unused = net.createServer()
    await new Promise<void>((resolve) => unused.listen(0, '127.0.0.1', resolve))
    const closedPort = (unused.address() as net.AddressInfo).port
    await new Promise((resolve) => unused.close(resolve))
    await expect(connectRouterOs(options({ port: closedPort }))).rejects.toBeInstanceOf(RouterOsConnectError)

    peer.faults.silent = true
    const silent = connectRouterOs(options({ connectTimeoutMs: 200 }))
    await expect(silent).rejects.toBeInstanceOf(RouterOsConnectError)
    await expect(silent).rejects.toThrow(/login .* did not complete: \/login: no reply within/)
  })
})

describe('commands', () => {
  it('adds, prints, sets and removes simple queues, in RouterOS canonical form', async () => {
    const connection = await connect()
    const added = await connection.call('/queue/simple/add', {
      name: 'capd-alice',
      target: '10.0.0.5',
      'max-limit': '5M/20M',
      comment: 'capd:alice',
    })
    expect(added.rows).toEqual([])
    const id = added.done.ret!
    expect(id).toMatch(/^\*[0-9A-F]+$/)

    const [queue] = await connection.run('/queue/simple/print', {}, { query: [`?.id=${id}`] })
    expect(queue).toMatchObject({
      '.id': id,
      name: 'capd-alice',
      target: '10.0.0.5/32',
      'max-limit': '5000000/20000000',
      bytes: '0/0',
      disabled: 'false',
      comment: 'capd:alice',
    })

    await connection.run('/queue/simple/set', { '.id': id, 'max-limit': '1M', comment: '', disabled: 'yes' })
    const [changed] = await connection.run('/queue/simple/print', {}, { query: ['?name=capd-alice'] })
    expect(changed).toMatchObject({ 'max-limit': '1000000/1000000', disabled: 'true' })
    expect(changed).not.toHaveProperty('comment')

    await connection.run('/queue/simple/remove', { '.id': id })
    expect(await connection.run('/queue/simple/print')).toEqual([])
  })

  it('a refused command is a RouterOsTrap with the router message and category, and the connection lives on', async () => {
    const connection = await connect()
    const missing = connection.run('/queue/simple/set', { '.id': '*99', comment: 'x' })
    await expect(missing).rejects.toBeInstanceOf(RouterOsTrap)
    await expect(missing).rejects.toMatchObject({ routerMessage: 'no such item', category: 0 })

    await connection.run('/queue/simple/add', { name: 'dup', target: '10.0.0.1' })
    await expect(connection.run('/queue/simple/add', { name: 'dup', target: '10.0.0.2' })).rejects.toThrow(
      /already exists/,
    )
    await expect(connection.run('/no/such/thing/print')).rejects.toThrow(/no such command/)
    expect(await connection.run('/queue/simple/print', {}, { proplist: ['name'] })).toEqual([{ name: 'dup' }])
  })

  it('keeps address lists, and filter rules in order with place-before and move', async () => {
    const connection = await connect()
    await connection.run('/ip/firewall/address-list/add', {
      list: 'capd-blocked',
      address: '10.0.0.5',
      comment: 'capd',
    })
    await expect(
      connection.run('/ip/firewall/address-list/add', { list: 'capd-blocked', address: '10.0.0.5' }),
    ).rejects.toThrow(/already have such entry/)
    expect(
      await connection.run('/ip/firewall/address-list/print', {}, { proplist: ['list', 'address'] }),
    ).toEqual([{ list: 'capd-blocked', address: '10.0.0.5' }])

    const rule = async (args: Record<string, string>) =>
      (await connection.call('/ip/firewall/filter/add', { chain: 'forward', ...args })).done.ret!
    const established = await rule({ 'connection-state': 'established,related', comment: 'est' })
    await rule({ action: 'drop', comment: 'last' })
    const block = await rule({
      action: 'drop',
      'src-address-list': 'capd-blocked',
      comment: 'capd:block',
      'place-before': established,
    })
    const order = async () =>
      (await connection.run('/ip/firewall/filter/print', {}, { proplist: ['comment'] })).map(
        (row) => row.comment,
      )
    expect(await order()).toEqual(['capd:block', 'est', 'last'])

    await connection.run('/ip/firewall/filter/move', { numbers: block })
    expect(await order()).toEqual(['est', 'last', 'capd:block'])
    await connection.run('/ip/firewall/filter/move', { numbers: block, destination: established })
    expect(await order()).toEqual(['capd:block', 'est', 'last'])
    await expect(
      connection.run('/ip/firewall/filter/add', { chain: 'forward', action: 'explode' }),
    ).rejects.toThrow(/action/)
  })

  it('reports uptime and version from /system/resource', async () => {
    const connection = await connect()
    const [resource] = await connection.run('/system/resource/print', {}, { proplist: ['uptime', 'version'] })
    expect(Object.keys(resource!).sort()).toEqual(['uptime', 'version'])
    expect(resource!.uptime).toMatch(/^(\d+[wdhms])+$/)
  })
})

describe('print', () => {
  it('proplist returns exactly the properties asked for', async () => {
    const connection = await connect()
    await addQueues(connection, 3)
    const rows = await connection.run('/queue/simple/print', {}, { proplist: ['.id', 'name', 'bytes'] })
    expect(rows).toHaveLength(3)
    for (const row of rows) expect(Object.keys(row)).toEqual(['.id', 'name', 'bytes'])
  })

  it('queries: equality, presence, absence, order, and the ?# stack operators', async () => {
    const connection = await connect()
    await addQueues(connection, 6)
    await connection.run('/queue/simple/set', { numbers: 'q1,q4', comment: 'capd' })
    peer.setBytes('q2', 100, 5000)
    const names = async (...query: string[]) =>
      (await connection.run('/queue/simple/print', {}, { query, proplist: ['name'] })).map((row) => row.name)

    expect(await names('?name=q3')).toEqual(['q3'])
    expect(await names('?comment')).toEqual(['q1', 'q4'])
    expect(await names('?-comment')).toEqual(['q0', 'q2', 'q3', 'q5'])
    expect(await names('?name=q0', '?name=q5', '?#|')).toEqual(['q0', 'q5'])
    expect(await names('?name=q0', '?name=q5', '?#|!')).toEqual(['q1', 'q2', 'q3', 'q4'])
    expect(await names('?comment', '?#!')).toEqual(['q0', 'q2', 'q3', 'q5'])
    expect(await names('?name=q0', '?name=q1', '?name=q4', '?#||', '?comment=capd', '?#&')).toEqual([
      'q1',
      'q4',
    ])
    expect(await names('?>name=q3')).toEqual(['q4', 'q5'])
    expect(await names('?<name=q1')).toEqual(['q0'])
    // `?#.` pushes a copy of the top: the comment test stays on the stack and is ANDed with itself.
    expect(await names('?comment', '?#.&')).toEqual(['q1', 'q4'])
    // Two tests, no operator: both must hold (an implicit AND), so nothing matches.
    expect(await names('?name=q0', '?name=q5')).toEqual([])
  })

  it('finds .tag anywhere in the reply sentence', { timeout: 15_000 }, async () => {
    const connection = await connect()
    await addQueues(connection, 4)
    for (const placement of ['first', 'last', 'random'] as const) {
      peer.faults.tagPlacement = placement
      const results = await Promise.all(
        [0, 1, 2, 3].map((i) => connection.run('/queue/simple/print', {}, { query: [`?name=q${i}`] })),
      )
      expect(results.map((rows) => rows.map((row) => row.name))).toEqual([['q0'], ['q1'], ['q2'], ['q3']])
    }
    const tagIndexes = new Set(
      peer.sent.map(({ words }) => words.findIndex((word) => word.startsWith('.tag='))).filter((i) => i > 0),
    )
    expect(tagIndexes.size).toBeGreaterThan(3)
  })

  it('!empty (RouterOS ≥ 7.18) is an empty result, not a crash', { timeout: 15_000 }, async () => {
    const connection = await connect()
    expect(await connection.run('/queue/simple/print')).toEqual([])
    expect(await connection.run('/ip/firewall/address-list/print', {}, { query: ['?list=none'] })).toEqual([])
    expect(sentKinds().filter((kind) => kind === '!empty')).toHaveLength(2)
    expect(await connection.run('/system/identity/print')).toEqual([{ name: 'MikroTik' }])
  })

  it('an empty print before 7.18 (plain !done) is an empty result too', async () => {
    peer.state.emptyReplies = false
    const connection = await connect()
    expect(await connection.run('/queue/simple/print')).toEqual([])
    expect(sentKinds()).not.toContain('!empty')
  })

  it('keeps byte counters beyond 2^53 exact, as strings', async () => {
    const connection = await connect()
    await addQueues(connection, 1)
    const up = 2n ** 64n - 1n
    const down = 9_007_199_254_740_993n // 2^53 + 1: a Number would round it
    peer.setBytes('q0', up, down)
    const [row] = await connection.run('/queue/simple/print', {}, { proplist: ['bytes'] })
    expect(row!.bytes).toBe(`${up}/${down}`)
    expect(row!.bytes!.split('/').map(BigInt)).toEqual([up, down])
  })

  it('words of every length-prefix size cross both ways intact', async () => {
    const connection = await connect()
    const prefix = '=comment='.length
    const wordLengths = [0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000]
    for (const [i, length] of wordLengths.entries()) {
      const comment = String.fromCharCode(97 + i).repeat(length - prefix)
      await connection.run('/ip/firewall/address-list/add', {
        list: `l${i}`,
        address: `10.9.0.${i}`,
        comment,
      })
      const [row] = await connection.run('/ip/firewall/address-list/print', {}, { query: [`?list=l${i}`] })
      expect(row!.comment!.length).toBe(comment.length)
      expect(row!.comment === comment).toBe(true)
    }
  })
})

describe('faults', () => {
  it('replies written in 1–3 byte TCP chunks read the same, multi-byte length prefixes too', {
    timeout: 20_000,
  }, async () => {
    const connection = await connect()
    await addQueues(connection, 12)
    // Words of 2- and 3-byte length prefixes, so a prefix itself arrives cut.
    await connection.run('/queue/simple/set', { numbers: 'q3', comment: 'c'.repeat(200) })
    await connection.run('/queue/simple/set', { numbers: 'q5', comment: 'd'.repeat(0x4000) })
    const whole = await connection.run('/queue/simple/print')
    peer.faults.splitChunks = [1, 3]
    const [split, identity] = await Promise.all([
      connection.run('/queue/simple/print'),
      connection.run('/system/identity/print'),
    ])
    expect(split).toEqual(whole)
    expect(identity).toEqual([{ name: 'MikroTik' }])
  })

  it('a RST mid-reply rejects every pending call at once, crashes nothing, and a new connection works', {
    timeout: 15_000,
  }, async () => {
    const connection = await connect({ timeoutMs: 60_000 })
    await addQueues(connection, 20)
    peer.faults.delayMs = [0, 30]
    peer.faults.resetMidReply = true
    const calls = await Promise.allSettled([0, 1, 2].map(() => connection.run('/queue/simple/print')))
    for (const call of calls) expect(call.status === 'rejected' && call.reason).toBeInstanceOf(RouterOsClosed)
    expect(await connection.closed).toBeInstanceOf(RouterOsClosed)
    expect(connection.isOpen).toBe(false)
    // A call on the dead connection rejects at once instead of waiting on a write that never ends.
    await expect(connection.run('/system/identity/print')).rejects.toBeInstanceOf(RouterOsClosed)

    peer.faults.resetMidReply = false
    const again = await connect()
    expect(await again.run('/queue/simple/print', {}, { query: ['?name=q7'], proplist: ['name'] })).toEqual([
      { name: 'q7' },
    ])
  })

  it('a reset while idle only resolves `closed`', { timeout: 15_000 }, async () => {
    const connection = await connect()
    peer.reboot()
    const reason = await connection.closed
    expect(reason).toBeInstanceOf(RouterOsClosed)
    expect(reason.message).toMatch(/ECONNRESET|closed/)
  })

  it('a silent router: the call times out with RouterOsTimeout and the client sends /cancel for its tag', {
    timeout: 15_000,
  }, async () => {
    const connection = await connect()
    peer.faults.silent = true
    const call = connection.run('/queue/simple/print', {}, { timeoutMs: 100 })
    await expect(call).rejects.toBeInstanceOf(RouterOsTimeout)
    const { tag } = (await call.catch((error: RouterOsTimeout) => error)) as RouterOsTimeout
    await until('the /cancel to arrive', () =>
      peer.received.some(({ words }) => words[0] === '/cancel' && words.includes(`=tag=${tag}`)),
    )
  })

  it('a slow command is cancelled on the router, and its late replies do not disturb later calls', {
    timeout: 15_000,
  }, async () => {
    const connection = await connect()
    peer.faults.delayMs = 2000
    const slow = connection.run('/system/identity/print', {}, { timeoutMs: 100 })
    await expect(slow).rejects.toBeInstanceOf(RouterOsTimeout)
    const { tag } = (await slow.catch((error: RouterOsTimeout) => error)) as RouterOsTimeout
    await until('the router to interrupt it', () => sentKinds(tag).includes('!trap'))
    const interrupted = peer.sent.find(({ words }) => words[0] === '!trap' && words.includes(`.tag=${tag}`))!
    expect(interrupted.words).toEqual(expect.arrayContaining(['=category=2', '=message=interrupted']))
    await until('its !done', () => sentKinds(tag).includes('!done'))

    peer.faults.delayMs = 0
    expect(await connection.run('/system/identity/print')).toEqual([{ name: 'MikroTik' }])
    expect(connection.isOpen).toBe(true)
  })

  it('matches many concurrent calls to their replies by tag, even out of order and in small chunks', {
    timeout: 15_000,
  }, async () => {
    const connection = await connect({ timeoutMs: 30_000 })
    await addQueues(connection, 50)
    peer.faults.delayMs = [0, 20]
    peer.faults.splitChunks = [1, 40]
    const sentBefore = peer.sent.length
    const picks = Array.from({ length: 200 }, (_, i) => (i * 7) % 50)
    const results = await Promise.all(
      picks.map((n) =>
        connection.run('/queue/simple/print', {}, { query: [`?name=q${n}`], proplist: ['name'] }),
      ),
    )
    expect(results).toEqual(picks.map((n) => [{ name: `q${n}` }]))
    // The replies did come back in another order than the calls went out.
    const doneTags = peer.sent
      .slice(sentBefore)
      .filter(({ words }) => words[0] === '!done')
      .map(({ words }) => Number(words.find((word) => word.startsWith('.tag='))!.slice(5)))
    expect(doneTags).not.toEqual([...doneTags].sort((a, b) => a - b))
  })

  it('!fatal closes the connection and rejects what is pending', { timeout: 15_000 }, async () => {
    const connection = await connect()
    peer.faults.fatal = 'too many commands before login'
    const call = connection.run('/system/identity/print')
    await expect(call).rejects.toBeInstanceOf(RouterOsClosed)
    await expect(call).rejects.toThrow(/!fatal.*too many commands before login/)
    expect((await connection.closed).message).toMatch(/too many commands/)
  })

  it('close() rejects pending calls, says /quit, and frees the socket', { timeout: 15_000 }, async () => {
    const connection = await connect()
    peer.faults.delayMs = 1000
    const pending = connection.run('/system/identity/print').catch((error: unknown) => error)
    await until('the command to reach the router', () => peer.received.length === 2)
    await connection.close()
    expect(await pending).toBeInstanceOf(RouterOsClosed)
    expect(peer.received.at(-1)!.words).toEqual(['/quit'])
    await until('the router to drop the socket', () => peer.connections === 0)
  })
})

describe('session', () => {
  it('reconnects after a reset, and sees the reboot: counters zero, uptime restarted, new ids', {
    timeout: 15_000,
  }, async () => {
    const router = session({ backoff: { initialMs: 10, maxMs: 50 } })
    await router.run('/queue/simple/add', { name: 'capd-a', target: '10.0.0.9' })
    peer.addBytes('capd-a', 1000, 250_000)
    const [before] = await router.run('/queue/simple/print', {}, { query: ['?name=capd-a'] })
    expect(before!.bytes).toBe('1000/250000')
    peer.state.bootAtMs -= 3 * 3600_000
    const [{ uptime: longUp } = {}] = await router.run('/system/resource/print', {}, { proplist: ['uptime'] })
    expect(longUp).toMatch(/^3h/)

    peer.faults.resetMidReply = true
    await expect(router.run('/queue/simple/print')).rejects.toBeInstanceOf(RouterOsClosed)
    peer.faults.resetMidReply = false
    peer.reboot()

    const [after] = await router.run('/queue/simple/print', {}, { query: ['?name=capd-a'] })
    expect(after!.bytes).toBe('0/0')
    expect(after!['.id']).not.toBe(before!['.id'])
    const [{ uptime } = {}] = await router.run('/system/resource/print', {}, { proplist: ['uptime'] })
    expect(uptime).not.toMatch(/h/)
    expect(router.state).toBe('open')
    expect(peer.received.filter(({ words }) => words[0] === '/login')).toHaveLength(2)
  })

  it('after two timeouts in a row it drops the silent connection and dials again', async () => {
    const router = session({ timeoutMs: 100 })
    await router.run('/system/identity/print')
    peer.faults.silent = true
    for (let i = 0; i < 2; i++)
      await expect(router.run('/system/identity/print')).rejects.toBeInstanceOf(RouterOsTimeout)
    await until('the client to drop it', () => peer.connections === 0)
    peer.faults.silent = false
    expect(await router.run('/system/identity/print')).toEqual([{ name: 'MikroTik' }])
  })

  it('bad credentials are terminal: one attempt, then every call fails with the same error', async () => {
    const router = session({ password: 'wrong' })
    await expect(router.run('/system/identity/print')).rejects.toBeInstanceOf(RouterOsLoginError)
    await expect(router.run('/system/identity/print')).rejects.toBeInstanceOf(RouterOsLoginError)
    expect(router.state).toBe('failed')
    expect(peer.received.filter(({ words }) => words[0] === '/login')).toHaveLength(1)
  })
})

const noOpenssl = opensslUnavailableReason()
const needs = prerequisite('RouterOS api-ssl tests', noOpenssl)

describe.skipIf(needs.skip)('api-ssl', () => {
  const certs = noOpenssl ? undefined : makeTestCerts()

  it('verifies the router certificate against the given CA', async () => {
    peer = await startPeer({ tls: { key: certs!.key, cert: certs!.cert } })
    const connection = await connect({ tls: { ca: certs!.ca } })
    expect(await connection.run('/system/identity/print')).toEqual([{ name: 'MikroTik' }])
  })

  it('refuses a certificate from another CA, or with no CA given, and says it is not retryable', async () => {
    peer = await startPeer({ tls: { key: certs!.key, cert: certs!.cert } })
    for (const tls of [{ ca: certs!.otherCa }, {}]) {
      const failure = connectRouterOs(options({ tls }))
      await expect(failure).rejects.toBeInstanceOf(RouterOsConnectError)
      await expect(failure).rejects.toMatchObject({ retryable: false })
    }
    expect(peer.received).toEqual([])
  })

  it('a RST mid-reply on api-ssl rejects the pending call too', { timeout: 15_000 }, async () => {
    peer = await startPeer({ tls: { key: certs!.key, cert: certs!.cert } })
    const connection = await connect({ tls: { ca: certs!.ca }, timeoutMs: 60_000 })
    peer.faults.resetMidReply = true
    await expect(connection.run('/system/resource/print')).rejects.toBeInstanceOf(RouterOsClosed)
    expect(await connection.closed).toBeInstanceOf(RouterOsClosed)
  })

  it('speaks anonymous DH to a router without a certificate only when allowed', async () => {
    peer = await startPeer({ tls: { anonymousDh: true } })
    await expect(connectRouterOs(options({ tls: {} }))).rejects.toBeInstanceOf(RouterOsConnectError)
    const connection = await connect({ tls: { allowAnonymousDh: true } })
    expect(await connection.run('/system/identity/print')).toEqual([{ name: 'MikroTik' }])
  })
})
