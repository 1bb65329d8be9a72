import { afterEach, describe, expect, it } from 'vitest'
import type { RouterDriver } from './drivers/driver.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { pollDelayMs } from './poll-share.js'
import { startTestAgent } from './testing-agent.js'

describe('pollDelayMs', () => {
  it('keeps polling to its share of the time, never polling sooner than the interval', () => {
    expect(pollDelayMs(1000, undefined, 0.5)).toBe(1000)
    expect(pollDelayMs(1000, 200, 0.5)).toBe(1000)
    // A poll of 1.5 s at share 0.5: as long again before the next.
    expect(pollDelayMs(1000, 1500, 0.5)).toBe(1500)
    expect(pollDelayMs(250, 900, 0.25)).toBe(2700)
    // Share 1: polls back to back, as fast as the interval lets them.
    expect(pollDelayMs(1000, 5000, 1)).toBe(1000)
  })
})

describe('an agent whose polls take long', () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  /** Start times of the agent's readings, on a router whose reading takes `readMs`. */
  async function pollStarts(readMs: number, pollShare: number | undefined): Promise<number[]> {
    const inner = createSimulatedDriver({ bytesPerSecond: 1000 })
    const starts: number[] = []
    const driver: RouterDriver = {
      ...inner,
      async readCounters() {
        starts.push(performance.now())
        await new Promise((resolve) => setTimeout(resolve, readMs))
        return inner.readCounters()
      },
    }
    const { agent } = await startTestAgent({
      name: 'share',
      driver,
      config: {
        pollIntervalMs: 100,
        fastPollIntervalMs: 250,
        ...(pollShare === undefined ? {} : { pollShare }),
      },
      cleanup,
    })
    try {
      while (starts.length < 5) await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      await agent.stop()
    }
    return starts
  }

  const gaps = (starts: number[]) => starts.slice(2).map((at, i) => at - starts[i + 1]!)

  it('waits as long again as its reading took before the next (share 0.5, the default); with share 1 only the interval', async () => {
    // A reading of 400 ms: by default the next starts 800 ms after the last began, not 500.
    for (const gap of gaps(await pollStarts(400, undefined))) expect(gap).toBeGreaterThanOrEqual(790)
    for (const gap of gaps(await pollStarts(400, 1))) expect(gap).toBeLessThan(750)
  }, 20_000)
})
