/**
 * Random caps, top-ups (new rates too), re-logins and logouts across subscribers on two NASes
 * whose CoA side drops or NAKs requests at random: once the NAS answers, the view it holds of each
 * open session is exactly what its subscriber's final state calls for.
 */
import { memoryLogger } from '@capd/log'
import { afterEach, describe, expect, it } from 'vitest'
import type { SubscriberRule } from '../driver.js'
import { createCoaEnforcer } from './coa-enforcer.js'
import { type CoaPeer, coaPeer } from './testing-coa-peer.js'
import { handSessions, rule } from './testing-coa-sessions.js'

const SECRET = 'coa-random-secret'
const reading = { atMs: 0, bootId: '', samples: [] }
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** mulberry32: a seeded generator, so a failure names the seed that repeats it. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Every action sets both attributes, so a session's view after any of them is exact.
const blocked = [
  { name: 'Mikrotik-Address-List', value: 'capd-blocked' },
  { name: 'Mikrotik-Rate-Limit', value: '10M/20M' },
] as const
const throttled = [
  { name: 'Mikrotik-Address-List', value: '' },
  { name: 'Mikrotik-Rate-Limit', value: '{throttleUpKbps}k/{throttleKbps}k' },
] as const
const restored = [
  { name: 'Mikrotik-Address-List', value: '' },
  { name: 'Mikrotik-Rate-Limit', value: '10M/20M' },
] as const

function expected(r: SubscriberRule): Record<string, string> | undefined {
  if (r.state === 'open') return undefined
  if (r.state === 'blocked')
    return { 'Mikrotik-Address-List': 'capd-blocked', 'Mikrotik-Rate-Limit': '10M/20M' }
  return { 'Mikrotik-Address-List': '', 'Mikrotik-Rate-Limit': `${r.throttleUpKbps}k/${r.throttleKbps}k` }
}

async function run(seed: number): Promise<void> {
  const rand = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const peers: CoaPeer[] = []
  for (let i = 0; i < 2; i++) {
    const peer = await coaPeer(SECRET)
    cleanup.push(() => peer.close())
    const roll = random(seed * 7 + i)
    peer.answer = () => {
      const r = roll()
      return r < 0.3
        ? { kind: 'silent' }
        : r < 0.5
          ? { kind: 'nak', cause: pick([404, 506, 501]) }
          : { kind: 'ack' }
    }
    peers.push(peer)
  }
  const sessions = handSessions()
  const coa = createCoaEnforcer({
    sessions,
    nas: peers.map((peer, i) => ({
      address: `192.0.2.${i + 1}`,
      coaAddress: '127.0.0.1',
      port: peer.port,
      secret: SECRET,
    })),
    blocked: { mode: 'coa', attributes: [...blocked] },
    throttled: { mode: 'coa', attributes: [...throttled] },
    restored: { mode: 'coa', attributes: [...restored] },
    timeoutMs: 30,
    retryMinMs: 5,
    retryMaxMs: 30,
    inFlightPerNas: 3,
    log: memoryLogger().logger,
  })
  cleanup.push(() => coa.close())

  const logins = Array.from({ length: 8 }, (_, i) => `u${i}`)
  const rules = new Map(logins.map((login) => [login, rule(login, 'open')]))
  /** login → its open session ids (with the NAS each is on). */
  const open = new Map<string, Map<string, string>>(logins.map((l) => [l, new Map()]))
  let nextSession = 0
  const login = (l: string) => {
    const id = `${l}-S${nextSession++}`
    const nas = pick(['192.0.2.1', '192.0.2.2'])
    sessions.open(l, id, nas)
    open.get(l)!.set(id, nas)
  }
  for (const l of logins) if (rand() < 0.8) login(l)
  await coa.apply([...rules.values()], reading)

  for (let step = 0; step < 60; step++) {
    const l = pick(logins)
    const what = rand()
    if (what < 0.25) rules.set(l, rule(l, 'blocked'))
    else if (what < 0.5) rules.set(l, rule(l, 'throttled', pick([256, 512, 1024]), pick([128, 256])))
    else if (what < 0.7) rules.set(l, rule(l, 'open'))
    else if (what < 0.85) {
      // A re-login: the old session may end first, or linger beside the new one for a while.
      const old = [...open.get(l)!.keys()]
      if (old.length > 0 && rand() < 0.7) {
        sessions.end(old[0]!)
        open.get(l)!.delete(old[0]!)
      }
      login(l)
      sessions.changed()
    } else {
      for (const id of open.get(l)!.keys()) sessions.end(id)
      open.get(l)!.clear()
      sessions.changed()
    }
    if (rand() < 0.6) await coa.apply([...rules.values()], reading)
    if (rand() < 0.3) await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 20)))
  }
  await coa.apply([...rules.values()], reading)
  await expect.poll(() => coa.pending(), { timeout: 20_000, interval: 50 }).toBe(0)

  for (const l of logins) {
    const want = expected(rules.get(l)!)
    for (const [id, nas] of open.get(l)!) {
      const peer = peers[nas === '192.0.2.1' ? 0 : 1]!
      const view = peer.view(id)
      // An open subscriber's session holds its plan: as authorized (nothing sent), or as restored.
      if (want === undefined)
        expect([{}, { 'Mikrotik-Address-List': '', 'Mikrotik-Rate-Limit': '10M/20M' }]).toContainEqual(view)
      else expect({ seed, id, view }).toEqual({ seed, id, view: want })
    }
  }
}

describe('RADIUS CoA enforcer, randomized', () => {
  it('brings every open session to its subscriber state through a NAS that drops and NAKs at random', async () => {
    const base = Number(process.env.CAPD_SEED ?? Date.now() % 100_000)
    for (let i = 0; i < 4; i++) await run(base + i)
  }, 120_000)
})
