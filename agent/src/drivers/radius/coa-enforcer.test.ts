/**
 * The CoA enforcer against a CoA peer written from RFC 5176 (testing-coa-peer.ts): what each cap,
 * top-up and re-login sends, NAKs and silence retried until ACK, forged answers ignored, a silent
 * NAS or session delaying no other, Disconnect mode.
 */
import { memoryLogger } from '@capd/log'
import { afterEach, describe, expect, it } from 'vitest'
import type { CounterReading } from '../driver.js'
import { type CoaEnforcer, type CoaEnforcerOptions, createCoaEnforcer } from './coa-enforcer.js'
import { type CoaPeer, coaPeer } from './testing-coa-peer.js'
import { type HandSessions, handSessions, rule } from './testing-coa-sessions.js'

const SECRET = 'coa-test-secret'
const reading: CounterReading = { atMs: 0, bootId: '', samples: [] }
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const PLAN = [
  { name: 'Mikrotik-Rate-Limit', value: '10M/20M' },
  { name: 'Mikrotik-Address-List', value: '' },
] as const

async function setup(
  overrides: Partial<CoaEnforcerOptions> = {},
  peers = 1,
): Promise<{ coa: CoaEnforcer; peers: CoaPeer[]; sessions: HandSessions; warned: () => string[] }> {
  const started: CoaPeer[] = []
  for (let i = 0; i < peers; i++) {
    const peer = await coaPeer(SECRET)
    cleanup.push(() => peer.close())
    started.push(peer)
  }
  const sessions = handSessions()
  const { logger, records } = memoryLogger()
  const coa = createCoaEnforcer({
    sessions,
    nas: started.map((peer, i) => ({
      address: `192.0.2.${i + 1}`,
      coaAddress: '127.0.0.1',
      port: peer.port,
      secret: SECRET,
      name: `nas${i + 1}`,
    })),
    blocked: { mode: 'coa', attributes: [{ name: 'Mikrotik-Address-List', value: 'capd-blocked' }] },
    throttled: {
      mode: 'coa',
      attributes: [{ name: 'Mikrotik-Rate-Limit', value: '{throttleUpKbps}k/{throttleKbps}k' }],
    },
    restored: { mode: 'coa', attributes: [...PLAN] },
    // Long enough that a loaded machine never times out an answer on the way (tests of silence shorten it).
    timeoutMs: 1000,
    retryMinMs: 20,
    retryMaxMs: 80,
    log: logger,
    ...overrides,
  })
  cleanup.push(() => coa.close())
  const warned = () =>
    records()
      .filter((r) => r.level === 40)
      .map((r) => String(r.msg))
  return { coa, peers: started, sessions, warned }
}

describe('RADIUS CoA enforcer', () => {
  it('throttles and blocks at the cap by CoA naming the session, and restores the plan after a top-up', async () => {
    const { coa, peers, sessions } = await setup()
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    sessions.open('bob', 'B1')
    await coa.apply([rule('alice', 'open'), rule('bob', 'open')], reading)
    // Found open at start, state unknown: each gets the plan's attributes once.
    await expect.poll(() => coa.pending()).toBe(0)
    expect(peer.requests.map((r) => r.sessionId).sort()).toEqual(['A1', 'B1'])
    peer.requests.length = 0

    await coa.apply([rule('alice', 'throttled', 2048, 512), rule('bob', 'blocked')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    expect(peer.view('A1')).toMatchObject({ 'Mikrotik-Rate-Limit': '512k/2048k' })
    expect(peer.view('B1')).toMatchObject({ 'Mikrotik-Address-List': 'capd-blocked' })
    const alice = peer.requests.find((r) => r.sessionId === 'A1')!
    expect(alice).toMatchObject({ kind: 'coa', userName: 'alice', nasIp: '192.0.2.1' })
    expect(alice.framedIp).toMatch(/^100\.64\./)
    expect(peer.requests).toHaveLength(2)

    // Applying the same rules again sends nothing; a new rate is a new CoA.
    await coa.apply([rule('alice', 'throttled', 2048, 512), rule('bob', 'blocked')], reading)
    await coa.apply([rule('alice', 'throttled', 1024), rule('bob', 'blocked')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    expect(peer.requests).toHaveLength(3)
    expect(peer.view('A1')).toMatchObject({ 'Mikrotik-Rate-Limit': '1024k/1024k' })

    await coa.apply([rule('alice', 'open'), rule('bob', 'open')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    expect(peer.view('A1')).toEqual({ 'Mikrotik-Rate-Limit': '10M/20M', 'Mikrotik-Address-List': '' })
    expect(peer.view('B1')).toEqual({ 'Mikrotik-Rate-Limit': '10M/20M', 'Mikrotik-Address-List': '' })
  })

  it('sends the CoA again to the new session of a capped subscriber who logs in again', async () => {
    const { coa, peers, sessions } = await setup()
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    await coa.apply([rule('alice', 'blocked')], reading)
    await expect.poll(() => peer.view('A1')?.['Mikrotik-Address-List']).toBe('capd-blocked')
    sessions.end('A1')
    sessions.open('alice', 'A2')
    sessions.changed()
    await expect.poll(() => peer.view('A2')?.['Mikrotik-Address-List']).toBe('capd-blocked')
    expect(peer.requests.map((r) => r.sessionId)).toEqual(['A1', 'A2'])
    // A new session of an open subscriber came with its plan: nothing is sent.
    sessions.open('bob', 'B1')
    sessions.changed()
    await coa.apply([rule('alice', 'blocked'), rule('bob', 'open')], reading)
    expect(coa.pending()).toBe(0)
    expect(peer.requests).toHaveLength(2)
  })

  it('retries a NAK until the ACK, showing the Error-Cause as a skipped rule meanwhile', async () => {
    const { coa, peers, sessions, warned } = await setup({ retryMinMs: 60, retryMaxMs: 60 })
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    await coa.apply([rule('alice', 'open')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    peer.nakNext(3, 506)
    await coa.apply([rule('alice', 'blocked')], reading)
    await expect.poll(() => peer.requests.length).toBeGreaterThanOrEqual(2)
    const report = await coa.apply([rule('alice', 'blocked')], reading)
    expect(report.skipped).toEqual([expect.objectContaining({ subscriberId: 'sub_alice', code: 'coa_nak' })])
    expect(report.skipped[0]!.message).toContain('Error-Cause 506 Resources Unavailable')
    expect(warned().some((m) => m.includes('506 Resources Unavailable'))).toBe(true)
    await expect.poll(() => coa.pending()).toBe(0)
    expect(peer.requests).toHaveLength(5)
    expect(peer.view('A1')?.['Mikrotik-Address-List']).toBe('capd-blocked')
    expect((await coa.apply([rule('alice', 'blocked')], reading)).skipped).toEqual([])
  })

  it('reports and retries a request it cannot build, instead of failing the agent, and still serves the others', async () => {
    const { coa, peers, sessions } = await setup({
      // A value longer than one RADIUS attribute holds (247 bytes) does not encode.
      blocked: { mode: 'coa', attributes: [{ name: 'Filter-Id', value: `capd-${'x'.repeat(300)}` }] },
    })
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    sessions.open('bob', 'B1')
    await coa.apply([rule('alice', 'open'), rule('bob', 'open')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    peer.requests.length = 0
    await coa.apply([rule('alice', 'blocked'), rule('bob', 'throttled', 2048, 512)], reading)
    await expect.poll(() => peer.view('B1')?.['Mikrotik-Rate-Limit']).toBe('512k/2048k')
    const report = await coa.apply([rule('alice', 'blocked'), rule('bob', 'throttled', 2048, 512)], reading)
    expect(report.skipped).toEqual([
      expect.objectContaining({ subscriberId: 'sub_alice', code: 'coa_no_answer' }),
    ])
    expect(report.skipped[0]!.message).toContain('could not send')
    expect(peer.requests.every((r) => r.sessionId === 'B1')).toBe(true)
  })

  it('takes NAK 503 Session-Context-Not-Found as nothing to enforce: no retry', async () => {
    const { coa, peers, sessions } = await setup()
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    await coa.apply([rule('alice', 'open')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    peer.setSessions([])
    await coa.apply([rule('alice', 'blocked')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(peer.requests).toHaveLength(2)
    expect((await coa.apply([rule('alice', 'blocked')], reading)).skipped).toEqual([])
  })

  it('retries through silence, and ignores answers that fail the Response Authenticator', async () => {
    const { coa, peers, sessions } = await setup({ timeoutMs: 100 })
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    await coa.apply([rule('alice', 'open')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    let silent = 2
    peer.answer = () => (silent-- > 0 ? { kind: 'silent' } : { kind: 'ack' })
    peer.answerSecret = 'not-the-secret'
    await coa.apply([rule('alice', 'throttled', 256)], reading)
    // The peer ACKs (applies) after two silent tries, but signs with another secret: not believed.
    await expect.poll(() => peer.requests.length).toBeGreaterThanOrEqual(5)
    expect(peer.view('A1')?.['Mikrotik-Rate-Limit']).toBe('256k/256k')
    expect(coa.pending()).toBe(1)
    const report = await coa.apply([rule('alice', 'throttled', 256)], reading)
    expect(report.skipped).toEqual([expect.objectContaining({ code: 'coa_no_answer' })])
    peer.answerSecret = SECRET
    await expect.poll(() => coa.pending()).toBe(0)
    expect((await coa.apply([rule('alice', 'throttled', 256)], reading)).skipped).toEqual([])
  })

  it('sends nothing the NAS believes when the secrets differ', async () => {
    const { coa, peers, sessions } = await setup({})
    const [peer] = peers as [CoaPeer]
    const wrong = createCoaEnforcer({
      sessions,
      nas: [{ address: '192.0.2.1', coaAddress: '127.0.0.1', port: peer.port, secret: 'wrong' }],
      blocked: { mode: 'disconnect' },
      throttled: { mode: 'disconnect' },
      restored: { mode: 'disconnect' },
      timeoutMs: 50,
      retryMinMs: 10,
      retryMaxMs: 20,
      log: memoryLogger().logger,
    })
    cleanup.push(() => wrong.close())
    void coa
    sessions.open('alice', 'A1')
    await wrong.apply([rule('alice', 'blocked')], reading)
    await expect.poll(() => peer.forged).toBeGreaterThanOrEqual(3)
    expect(peer.requests).toEqual([])
    expect(peer.view('A1')).toEqual({})
  })

  it('does not let a silent NAS, or a silent session, hold back the others', async () => {
    const { coa, peers, sessions } = await setup({ timeoutMs: 2000, inFlightPerNas: 2 }, 2)
    const [slow, fast] = peers as [CoaPeer, CoaPeer]
    slow.answer = () => ({ kind: 'silent' })
    fast.answer = (r) => (r.sessionId === 'F0' ? { kind: 'silent' } : { kind: 'ack' })
    const logins = Array.from({ length: 6 }, (_, i) => i)
    for (const i of logins) sessions.open(`s${i}`, `S${i}`, '192.0.2.1')
    for (const i of logins) sessions.open(`f${i}`, `F${i}`, '192.0.2.2')
    const rules = logins.flatMap((i) => [rule(`s${i}`, 'open'), rule(`f${i}`, 'open')])
    await coa.apply(rules, reading)
    const capped = logins.flatMap((i) => [rule(`s${i}`, 'blocked'), rule(`f${i}`, 'blocked')])
    const before = Date.now()
    const report = await coa.apply(capped, reading)
    const applyMs = Date.now() - before
    expect(report.skipped).toEqual([])
    await expect
      .poll(() => logins.filter((i) => fast.view(`F${i}`)?.['Mikrotik-Address-List'] === 'capd-blocked'))
      .toHaveLength(5)
    const fastDoneMs = Date.now() - before
    // Every fast session but the silent one is done before the first request to the silent NAS
    // (or of the silent session) timed out — neither has been tried a second time — and apply()
    // returned before any of them was.
    expect(slow.requests).toHaveLength(2)
    expect(fast.requests.filter((r) => r.sessionId === 'F0')).toHaveLength(1)
    expect(applyMs).toBeLessThanOrEqual(fastDoneMs)
    expect(coa.pending()).toBe(7)
  })

  it('disconnects at the cap when so configured, and the next session of the subscriber too', async () => {
    const { coa, peers, sessions } = await setup({ blocked: { mode: 'disconnect' } })
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    await coa.apply([rule('alice', 'open')], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    await coa.apply([rule('alice', 'blocked')], reading)
    await expect.poll(() => peer.view('A1')).toBeUndefined()
    expect(peer.requests.at(-1)).toMatchObject({ kind: 'disconnect', sessionId: 'A1', userName: 'alice' })
    sessions.end('A1')
    sessions.open('alice', 'A2')
    sessions.changed()
    await expect.poll(() => peer.view('A2')).toBeUndefined()
    expect(peer.requests.filter((r) => r.kind === 'disconnect')).toHaveLength(2)
  })

  it('does not disconnect every open session at start when restoring is by Disconnect', async () => {
    const { coa, peers, sessions } = await setup({ restored: { mode: 'disconnect' } })
    const [peer] = peers as [CoaPeer]
    sessions.open('alice', 'A1')
    await coa.apply([rule('alice', 'open')], reading)
    expect(coa.pending()).toBe(0)
    await coa.apply([rule('alice', 'throttled', 100)], reading)
    await expect.poll(() => coa.pending()).toBe(0)
    await coa.apply([rule('alice', 'open')], reading)
    await expect.poll(() => peer.view('A1')).toBeUndefined()
    expect(peer.requests.map((r) => r.kind)).toEqual(['coa', 'disconnect'])
  })
})
