import type { SubscriberLimit } from '@capd/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PollTimer } from './poll-timer.js'

const window = (startMs: number, endMs: number): Pick<SubscriberLimit, 'freeWindows'> => ({
  freeWindows: [{ start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() }],
})

describe('PollTimer', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }))
  afterEach(() => vi.useRealTimers())

  it("runs a window edge's poll at the edge by the agent's clock, even when that clock runs behind the timers", async () => {
    // The agent's clock loses 1 ms in every 100 against the timers (a wall clock slewed back).
    const clock = () => Math.floor(Date.now() * 0.99)
    const polls: Array<{ atMs: number; boundaryMs: number | undefined }> = []
    const timer = new PollTimer({
      now: clock,
      limits: () => [window(500, 5_000)],
      lastReadAtMs: () => polls.at(-1)?.atMs,
      poll: async (boundaryMs) => {
        polls.push({ atMs: clock(), boundaryMs })
      },
      interval: () => 1_000,
    })
    timer.schedule(1_000)
    await vi.advanceTimersByTimeAsync(600)
    timer.stop()
    // Set 500 ms ahead by the agent's clock; when the timer fired, that clock said 495.
    expect(polls).toEqual([{ atMs: 500, boundaryMs: 500 }])
  })

  it('polls after the interval when no edge comes first', async () => {
    const polls: number[] = []
    const timer = new PollTimer({
      now: () => Date.now(),
      limits: () => [window(50_000, 60_000)],
      lastReadAtMs: () => polls.at(-1),
      poll: async (boundaryMs) => {
        expect(boundaryMs).toBeUndefined()
        polls.push(Date.now())
      },
      interval: () => 1_000,
    })
    timer.schedule(1_000)
    await vi.advanceTimersByTimeAsync(2_500)
    timer.stop()
    expect(polls).toEqual([1_000, 2_000])
  })
})
