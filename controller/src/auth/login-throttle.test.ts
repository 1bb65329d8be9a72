import { describe, expect, it } from 'vitest'
import { type Admission, LoginThrottle, type LoginThrottleOptions } from './login-throttle.js'

/** A throttle whose delays are recorded, not slept. */
function throttle(options: LoginThrottleOptions = {}) {
  const slept: number[] = []
  const t = new LoginThrottle({
    ...options,
    sleep: async (ms) => {
      slept.push(ms)
    },
  })
  return { t, slept }
}

const fail = async (t: LoginThrottle, login: string, address: string, nowMs: number) =>
  t.admit({ login, address }, nowMs)

const admitted = (a: Admission) => a.outcome === 'admitted'

describe('login throttle', () => {
  it('refuses one address on one login after 5 failures, and lets another address in', async () => {
    const { t } = throttle()
    for (let i = 0; i < 5; i++)
      expect(admitted(await fail(t, 'operator:admin', '198.51.100.1', 1000 + i))).toBe(true)
    const again = await fail(t, 'operator:admin', '198.51.100.1', 2000)
    expect(again.outcome).toBe('throttled')
    if (again.outcome === 'throttled') expect(again.waitSeconds).toBeGreaterThan(14 * 60)
    const owner = await t.admit({ login: 'operator:admin', address: '203.0.113.7' }, 2000)
    expect(owner.outcome).toBe('admitted')
  })

  it('refuses an address that fails across many logins (password spraying)', async () => {
    const { t } = throttle({ maxFailuresPerAddress: 20 })
    let refusedAt = -1
    for (let i = 0; i < 40 && refusedAt < 0; i++) {
      if (!admitted(await fail(t, `portal:user${i}`, '198.51.100.2', 1000))) refusedAt = i
    }
    expect(refusedAt).toBe(20)
    // Those logins are not locked for anyone else.
    expect((await t.admit({ login: 'portal:user3', address: '203.0.113.8' }, 1000)).outcome).toBe('admitted')
  })

  it('counts IPv6 addresses of one /64 as one client, and IPv4-mapped ones as IPv4', async () => {
    const { t } = throttle()
    const random = () => Math.floor(Math.random() * 0x10000).toString(16)
    for (let i = 0; i < 5; i++) {
      await fail(t, 'portal:anna', `2001:db8:1:2:${random()}:${random()}:${random()}:${random()}`, 1000)
    }
    expect((await fail(t, 'portal:anna', '2001:db8:1:2::9', 1000)).outcome).toBe('throttled')
    expect((await fail(t, 'portal:anna', '2001:0DB8:0001:0002:ffff::1%eth0', 1000)).outcome).toBe('throttled')
    expect((await fail(t, 'portal:anna', '2001:db8:1:3::9', 1000)).outcome).toBe('admitted')
    for (let i = 0; i < 5; i++) await fail(t, 'portal:bob', '192.0.2.4', 1000)
    expect((await fail(t, 'portal:bob', '::ffff:192.0.2.4', 1000)).outcome).toBe('throttled')
    expect((await fail(t, 'portal:bob', '192.0.2.5', 1000)).outcome).toBe('admitted')
  })

  it('slows distributed guessing on one login with a growing delay, never a refusal', async () => {
    const { t, slept } = throttle({ baseDelayMs: 1000, maxDelayMs: 30_000 })
    const outcomes: string[] = []
    for (let i = 0; i < 200; i++) {
      const address = `10.${i >> 8}.${i & 255}.${(i * 7) & 255}`
      outcomes.push((await fail(t, 'operator:admin', address, 1000 + i)).outcome)
    }
    expect(new Set(outcomes)).toEqual(new Set(['admitted']))
    // The first five from anywhere are free; then each waits longer, up to the cap.
    expect(slept.length).toBe(195)
    expect(slept[0]).toBe(1000)
    for (let i = 1; i < slept.length; i++) expect(slept[i]!).toBeGreaterThanOrEqual(slept[i - 1]!)
    expect(slept.at(-1)).toBe(30_000)
    // The owner from their own address is delayed like anyone, and then let in.
    const owner = await t.admit({ login: 'operator:admin', address: '203.0.113.7' }, 2000)
    expect(owner.outcome).toBe('admitted')
  })

  it('forgets failures after the window', async () => {
    const { t, slept } = throttle({ windowMs: 60_000 })
    for (let i = 0; i < 10; i++) await fail(t, 'operator:admin', '198.51.100.1', 1000)
    expect((await fail(t, 'operator:admin', '198.51.100.1', 1000)).outcome).toBe('throttled')
    slept.length = 0
    expect((await fail(t, 'operator:admin', '198.51.100.1', 62_000)).outcome).toBe('admitted')
    expect(slept).toEqual([])
  })

  it('a success clears its own failure and its pair, not the failures on other logins', async () => {
    const { t } = throttle()
    for (let i = 0; i < 4; i++) await fail(t, 'portal:anna', '198.51.100.1', 1000)
    const right = await t.admit({ login: 'portal:anna', address: '198.51.100.1' }, 1000)
    if (right.outcome === 'admitted') right.succeeded()
    for (let i = 0; i < 5; i++)
      expect((await fail(t, 'portal:anna', '198.51.100.1', 1000)).outcome).toBe('admitted')
    expect((await fail(t, 'portal:anna', '198.51.100.1', 1000)).outcome).toBe('throttled')
  })

  it('keeps memory bounded under a flood of addresses and logins', async () => {
    const { t } = throttle({ maxKeys: 100 })
    for (let i = 0; i < 5000; i++) await fail(t, `portal:u${i}`, `10.0.${i >> 8}.${i & 255}`, 1000)
    expect(t.trackedKeys).toBeLessThanOrEqual(100)
  })
})
