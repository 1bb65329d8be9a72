import { describe, expect, it } from 'vitest'
import type { CounterReading } from './drivers/driver.js'
import { type Baseline, type CreatedCounter, computeDeltas } from './usage-engine.js'

const MBPS_100 = 100e6 / 8 / 1000 // bytes per ms
const options = { maxBytesPerMs: MBPS_100, created: new Map<string, CreatedCounter>() }

const reading = (
  atMs: number,
  down: bigint,
  up: bigint,
  extra: Partial<CounterReading> = {},
  counterId = 'c1',
) => ({
  atMs,
  bootId: 'boot1',
  samples: [{ subscriberId: 'sub_a', counterId, down, up }],
  ...extra,
})

const base = (down: bigint, up: bigint, atMs = 0): Map<string, Baseline> =>
  new Map([['sub_a', { counterId: 'c1', bootId: 'boot1', down, up, atMs }]])

describe('usage engine', () => {
  it('books the difference within one counter generation, in bigint beyond 2^53', () => {
    const big = 2n ** 60n
    const { deltas, anomalies } = computeDeltas(base(big, 10n), reading(1000, big + 5_000_000n, 20n), options)
    expect(anomalies).toEqual([])
    expect(deltas).toEqual([
      {
        subscriberId: 'sub_a',
        down: 5_000_000n,
        up: 10n,
        baseline: { counterId: 'c1', bootId: 'boot1', down: big + 5_000_000n, up: 20n, atMs: 1000 },
      },
    ])
  })

  it('books a jump of accounting totals however fast it looks, but never one that goes back', () => {
    // One Interim carrying minutes of traffic, read a second after the last poll.
    const interim = reading(1000, 3n * 2n ** 32n, 10n)
    interim.samples[0] = { ...interim.samples[0]!, accountingTotals: true } as (typeof interim.samples)[0]
    expect(computeDeltas(base(0n, 0n), interim, options).deltas.map((d) => d.down)).toEqual([3n * 2n ** 32n])
    const plain = computeDeltas(base(0n, 0n), reading(1000, 3n * 2n ** 32n, 10n), options)
    expect(plain.deltas).toEqual([])
    expect(plain.anomalies[0]).toMatch(/faster than the link/)
    const back = reading(1000, 5n, 10n)
    back.samples[0] = { ...back.samples[0]!, accountingTotals: true } as (typeof back.samples)[0]
    expect(computeDeltas(base(6n, 0n), back, options).anomalies[0]).toMatch(/went back/)
  })

  describe('session counters (a re-login is a new counter that began at zero)', () => {
    const session = (atMs: number, down: bigint, up: bigint, zeroAtMs: number, counterId = 's2') => {
      const r = reading(atMs, down, up, {}, counterId)
      r.samples[0] = { ...r.samples[0]!, zeroAtMs } as (typeof r.samples)[0]
      return r
    }

    it('books the whole value of a session that began after the last reading of the one before', () => {
      const { deltas, anomalies } = computeDeltas(
        base(900n, 90n, 10_000),
        session(20_000, 4000n, 40n, 15_000),
        options,
      )
      expect(anomalies).toEqual([])
      expect(deltas.map(({ down, up, baseline }) => [down, up, baseline.counterId])).toEqual([
        [4000n, 40n, 's2'],
      ])
    })

    it('books it too within the slack of uptime rounded to the second', () => {
      const { deltas } = computeDeltas(base(0n, 0n, 10_000), session(20_000, 4000n, 40n, 8_500), options)
      expect(deltas.map((d) => d.down)).toEqual([4000n])
    })

    it('starts a new generation for a session that began well before the last reading (never booked twice)', () => {
      const { deltas, rebased, anomalies } = computeDeltas(
        base(0n, 0n, 10_000),
        session(20_000, 4000n, 40n, 5_000),
        options,
      )
      expect(deltas).toEqual([])
      expect(rebased.get('sub_a')?.counterId).toBe('s2')
      expect(anomalies[0]).toMatch(/re-created/)
    })

    it('takes only a baseline on first sight, however recent the session', () => {
      const { deltas, rebased } = computeDeltas(new Map(), session(20_000, 4000n, 40n, 19_000), options)
      expect(deltas).toEqual([])
      expect(rebased.get('sub_a')?.down).toBe(4000n)
    })

    it('counts a session after a reboot from zero, and the same session on as usual', () => {
      const after = { ...session(20_000, 4000n, 40n, 15_000, 'c1'), bootId: 'boot2' }
      expect(computeDeltas(base(9000n, 0n, 10_000), after, options).deltas.map((d) => d.down)).toEqual([
        4000n,
      ])
      const same = session(30_000, 6000n, 50n, 15_000, 'c1')
      expect(computeDeltas(base(4000n, 40n, 20_000), same, options).deltas.map((d) => d.down)).toEqual([
        2000n,
      ])
    })

    it('still refuses a session value faster than the link since the session began', () => {
      const { deltas, anomalies } = computeDeltas(
        base(0n, 0n, 10_000),
        session(20_000, 10n ** 12n, 0n, 15_000),
        options,
      )
      expect(deltas).toEqual([])
      expect(anomalies[0]).toMatch(/faster than the link/)
    })
  })

  it('only takes a baseline on first sight of a counter it did not create', () => {
    const { deltas, rebased } = computeDeltas(new Map(), reading(1000, 123_456n, 7n), options)
    expect(deltas).toEqual([])
    expect(rebased.get('sub_a')?.down).toBe(123_456n)
  })

  it('counts a counter it created from zero', () => {
    const created = new Map([['sub_a', { atMs: 500 }]])
    const { deltas } = computeDeltas(new Map(), reading(1000, 4000n, 100n), { ...options, created })
    expect(deltas.map((d) => [d.down, d.up])).toEqual([[4000n, 100n]])
  })

  it('counts a counter it re-created in place of a known one from zero, not as a new generation', () => {
    const created = new Map([['sub_a', { atMs: 500, replaces: 'c1' }]])
    const r = reading(1000, 4000n, 100n, {}, 'c2')
    const { deltas, anomalies } = computeDeltas(base(1_000_000n, 1_000n), r, { ...options, created })
    expect(anomalies).toEqual([])
    expect(deltas).toEqual([
      {
        subscriberId: 'sub_a',
        down: 4000n,
        up: 100n,
        baseline: { counterId: 'c2', bootId: 'boot1', down: 4000n, up: 100n, atMs: 1000 },
      },
    ])
  })

  it('holds a created counter to the link speed since its creation', () => {
    const created = new Map([['sub_a', { atMs: 900 }]])
    // 100 ms at 100 Mbit/s (+10%) is 1.375 MB.
    const { deltas, anomalies } = computeDeltas(new Map(), reading(1000, 2_000_000n, 0n), {
      ...options,
      created,
    })
    expect(deltas).toEqual([])
    expect(anomalies[0]).toMatch(/faster than the link/)
  })

  it.each([
    ['the counter it was to replace is still there', 'c1', 'c1'],
    ['another counter replaced the known one', 'c0', 'c2'],
  ])('does not count from zero when %s', (_, replaces, counterId) => {
    const created = new Map([['sub_a', { atMs: 500, replaces }]])
    const r = reading(1000, 1_000_500n, 1_000n, {}, counterId)
    const { deltas, anomalies } = computeDeltas(base(1_000_000n, 1_000n), r, { ...options, created })
    if (counterId === 'c1') expect(deltas.map((d) => d.down)).toEqual([500n])
    else expect([deltas, anomalies[0]]).toEqual([[], expect.stringMatching(/re-created/)])
  })

  it.each([
    ['a reboot', reading(1000, 10n, 10n, { bootId: 'boot2' }), /rebooted/],
    ['a re-created counter', reading(1000, 10n, 10n, {}, 'c2'), /re-created/],
    ['a counter that went back', reading(1000, 10n, 10n), /went back/],
    ['a jump faster than the link', reading(1000, 1_000_000n + 13_750_001n, 1_000n), /faster than the link/],
  ])('books nothing across %s and rebases', (_, r, message) => {
    const { deltas, rebased, anomalies } = computeDeltas(base(1_000_000n, 1_000n), r, options)
    expect(deltas).toEqual([])
    expect(anomalies[0]).toMatch(message)
    expect(rebased.get('sub_a')).toMatchObject({ down: r.samples[0]!.down, bootId: r.bootId })
  })

  it('accepts a jump at the link speed with 10% slack', () => {
    // 100 Mbit/s for 1 s is 12.5 MB; 13.75 MB is the bound.
    const { deltas } = computeDeltas(base(0n, 0n), reading(1000, 13_750_000n, 0n), options)
    expect(deltas[0]?.down).toBe(13_750_000n)
  })

  it('keeps a counter it created as its baseline while it is still at zero', () => {
    const created = new Map([['sub_a', { atMs: 500 }]])
    const first = computeDeltas(new Map(), reading(1000, 0n, 0n), { ...options, created })
    expect(first.deltas).toEqual([])
    expect(first.rebased.get('sub_a')).toMatchObject({ down: 0n, up: 0n })
    // The next reading counts from there, not as a first sighting.
    const next = computeDeltas(first.rebased, reading(2000, 7000n, 70n), options)
    expect(next.deltas.map((d) => [d.down, d.up])).toEqual([[7000n, 70n]])
  })

  it('measures the interval from when the previous read began, so a late timestamp is no false jump', () => {
    // The first read began at 0 but returned (and was stamped) at 400.
    const first = computeDeltas(new Map(), { ...reading(400, 0n, 0n), startedAtMs: 0 }, options)
    expect(first.rebased.get('sub_a')?.atMs).toBe(0)
    // 13.75 MB by 1000 is within 1 s at 100 Mbit/s (+10%); from 400 it would look too fast.
    const next = computeDeltas(first.rebased, reading(1000, 13_750_000n, 0n), options)
    expect(next.anomalies).toEqual([])
    expect(next.deltas[0]?.down).toBe(13_750_000n)
  })

  it('books nothing when the counters did not move', () => {
    expect(computeDeltas(base(5n, 5n), reading(1000, 5n, 5n), options).deltas).toEqual([])
  })
})
