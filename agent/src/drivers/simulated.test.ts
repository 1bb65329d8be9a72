import { describe, expect, it } from 'vitest'
import { createSimulatedDriver } from './simulated.js'

describe('simulated router', () => {
  it('moves open counters, stops blocked ones and honours the quota to the byte', async () => {
    let now = 0
    const driver = createSimulatedDriver({ bytesPerSecond: 1_000_000, now: () => now })
    await driver.apply(
      [
        { subscriberId: 'a', address: '10.0.0.1', state: 'open', remainingBytes: 300_000n },
        { subscriberId: 'b', address: '10.0.0.2', state: 'blocked' },
      ],
      await driver.readCounters(),
    )
    now += 10_000
    const reading = await driver.readCounters()
    const a = reading.samples.find((s) => s.subscriberId === 'a')!
    const b = reading.samples.find((s) => s.subscriberId === 'b')!
    expect(a.down + a.up).toBe(300_000n)
    expect(b.down + b.up).toBe(0n)
    await driver.apply(
      [{ subscriberId: 'a', address: '10.0.0.1', state: 'open', remainingBytes: 1_000n }],
      reading,
    )
    now += 10_000
    const after = (await driver.readCounters()).samples
    expect(after.map((s) => s.subscriberId)).toEqual(['a'])
    expect(after[0]!.down + after[0]!.up).toBe(301_000n)
  })

  it('spends a one-way quota only with the counted direction, and throttles upload at its own rate', async () => {
    let now = 0
    const driver = createSimulatedDriver({ bytesPerSecond: 1_000_000, now: () => now })
    await driver.apply(
      [
        { subscriberId: 'd', address: '10.0.0.1', state: 'open', remainingBytes: 90_000n, count: 'down' },
        { subscriberId: 'u', address: '10.0.0.2', state: 'open', remainingBytes: 90_000n, count: 'up' },
        { subscriberId: 't', address: '10.0.0.3', state: 'throttled', throttleKbps: 800, throttleUpKbps: 8 },
      ],
      await driver.readCounters(),
    )
    now += 10_000
    const samples = new Map((await driver.readCounters()).samples.map((s) => [s.subscriberId, s]))
    expect(samples.get('d')!.down).toBe(90_000n)
    expect(samples.get('u')!.up).toBe(90_000n)
    // The other direction moved too, uncounted: more than the allowance passed in all.
    expect(samples.get('u')!.down).toBeGreaterThan(90_000n)
    // 800 kbit/s is 100 kB/s for 10 s; 8 kbit/s up is 1 kB/s.
    expect(samples.get('t')!.down + samples.get('t')!.up).toBe(1_000_000n)
    expect(samples.get('t')!.up).toBe(10_000n)
  })
})
