import { describe, expect, it } from 'vitest'
import { MAX_PACKET_BYTES, planQuota } from './quota-plan.js'

const MB = 1_000_000n

describe('planQuota', () => {
  it('creates a new quota with the allowance left now', () => {
    expect(
      planQuota({
        remainingBytes: 10n * MB,
        readingTotal: undefined,
        currentTotal: undefined,
        installed: undefined,
        lastCap: undefined,
      }),
    ).toEqual({ action: 'create', cap: 10n * MB, overBytes: 10n * MB })
  })

  it('subtracts what passed between the reading and now', () => {
    const decision = planQuota({
      remainingBytes: 10n * MB,
      readingTotal: 3n * MB,
      currentTotal: 4n * MB,
      installed: undefined,
      lastCap: undefined,
    })
    expect(decision).toEqual({ action: 'create', cap: 13n * MB, overBytes: 9n * MB })
  })

  it('keeps a quota whose cap did not move from poll to poll', () => {
    // Installed at counters 1 MB with 10 MB left (cap 11 MB); 2 MB more passed since.
    const decision = planQuota({
      remainingBytes: 8n * MB,
      readingTotal: 3n * MB,
      currentTotal: 3n * MB,
      installed: { overBytes: 10n * MB + 500n, usedBytes: 2n * MB + 500n },
      lastCap: 11n * MB,
    })
    expect(decision).toEqual({ action: 'keep', cap: 11n * MB })
  })

  it('after a restart (no memory) keeps a quota the kernel already enforces at the cap', () => {
    const decision = planQuota({
      remainingBytes: 8n * MB,
      readingTotal: 3n * MB,
      currentTotal: 3n * MB,
      installed: { overBytes: 10n * MB + 500n, usedBytes: 2n * MB + 500n },
      lastCap: undefined,
    })
    expect(decision.action).toBe('keep')
  })

  it('raises a live quota on a top-up, keeping what it consumed', () => {
    const decision = planQuota({
      remainingBytes: 58n * MB,
      readingTotal: 3n * MB,
      currentTotal: 3n * MB,
      installed: { overBytes: 10n * MB + 500n, usedBytes: 2n * MB + 500n },
      lastCap: 11n * MB,
    })
    expect(decision).toEqual({ action: 'update', cap: 61n * MB, overBytes: 60n * MB + 500n })
  })

  it('re-creates a depleted quota on a top-up: its real consumption is hidden', () => {
    const decision = planQuota({
      remainingBytes: 5n * MB + 100n,
      readingTotal: 11n * MB - 100n,
      currentTotal: 11n * MB - 100n,
      installed: { overBytes: 10n * MB + 500n, usedBytes: 10n * MB + 500n },
      lastCap: 11n * MB,
    })
    expect(decision).toEqual({ action: 'create', cap: 16n * MB, overBytes: 5n * MB + 100n })
  })

  it('keeps a quota that ran out honestly (less than one packet left)', () => {
    const input = {
      remainingBytes: 100n,
      readingTotal: 11n * MB - 100n,
      currentTotal: 11n * MB - 100n,
      installed: { overBytes: 10n * MB + 500n, usedBytes: 10n * MB + 500n },
      lastCap: 11n * MB,
    }
    expect(planQuota(input).action).toBe('keep')
    expect(planQuota({ ...input, remainingBytes: 0n, lastCap: undefined }).action).toBe('keep')
  })

  it('re-creates a quota that ran out with a packet or more still allowed', () => {
    const decision = planQuota({
      remainingBytes: MAX_PACKET_BYTES,
      readingTotal: 2n * MB,
      currentTotal: 2n * MB,
      installed: { overBytes: 3n * MB, usedBytes: 3n * MB },
      lastCap: 2n * MB + MAX_PACKET_BYTES,
    })
    expect(decision).toEqual({
      action: 'create',
      cap: 2n * MB + MAX_PACKET_BYTES,
      overBytes: MAX_PACKET_BYTES,
    })
  })

  it('lowers the quota to what was consumed when nothing is left (never to 0)', () => {
    const live = { overBytes: 10n * MB, usedBytes: 4n * MB }
    const none = { remainingBytes: -5n, readingTotal: 4n * MB, currentTotal: 4n * MB, lastCap: 10n * MB }
    expect(planQuota({ ...none, installed: live })).toEqual({
      action: 'update',
      cap: 4n * MB - 5n,
      overBytes: 4n * MB,
    })
    expect(planQuota({ ...none, installed: undefined })).toMatchObject({ action: 'create', overBytes: 1n })
  })

  it('ignores counters of another generation than the reading', () => {
    const decision = planQuota({
      remainingBytes: 7n * MB,
      readingTotal: undefined,
      currentTotal: 100n,
      installed: undefined,
      lastCap: undefined,
    })
    expect(decision).toEqual({ action: 'create', cap: 7n * MB + 100n, overBytes: 7n * MB })
  })
})
