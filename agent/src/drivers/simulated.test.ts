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
})
