import { describe, expect, it } from 'vitest'
import type { LimitTerms } from '../store/entities.js'
import { type TopUpStatusInput, topUpStatus } from './topup-status.js'

const terms = (limitBytes: number): LimitTerms => ({
  periodStartMs: 0,
  periodEndMs: 1,
  limitBytes,
  onCap: 'block',
  address: '10.0.0.10',
})

/** Anna bought 10 GB on a 100 GB plan: the books are at v3, the agent enforced v2 so far. */
const bought = (over: Partial<TopUpStatusInput['sub']> = {}, was?: string): TopUpStatusInput => ({
  sub: {
    id: 'sub_anna',
    state: 'blocked',
    limitVersion: 3,
    appliedLimitVersion: 2,
    limitTerms: terms(110e9),
    ...over,
  },
  limitBytes: 110e9,
  usedBytes: 100e9,
  topUp: { subscriberId: 'sub_anna' },
  was,
})

describe('topUpStatus', () => {
  it('is pending until the agent reports the version that includes the top-up', () => {
    expect(topUpStatus(bought({}, 'blocked'))).toBe('pending')
    expect(topUpStatus(bought({ state: 'open' }, 'blocked'))).toBe('pending')
  })

  it('is pending while the terms the version stands for are short of the new limit', () => {
    expect(topUpStatus(bought({ appliedLimitVersion: 3, state: 'open', limitTerms: terms(100e9) }))).toBe(
      'pending',
    )
    expect(topUpStatus(bought({ appliedLimitVersion: 3, state: 'open', limitTerms: undefined }))).toBe(
      'pending',
    )
  })

  it('is pending while the agent still blocks, even at the new version', () => {
    expect(topUpStatus(bought({ appliedLimitVersion: 3 }, 'blocked'))).toBe('pending')
  })

  it('says used up once the agent enforces the version with the top-up and the usage reached it', () => {
    const usedUp = { ...bought({ appliedLimitVersion: 3 }, 'blocked'), usedBytes: 110e9 }
    expect(topUpStatus(usedUp)).toBe('used_up')
    expect(topUpStatus({ ...usedUp, sub: { ...usedUp.sub, state: 'throttled' } })).toBe('used_up')
    // Not before the agent has the version: the block may be the old one.
    expect(topUpStatus({ ...usedUp, sub: { ...usedUp.sub, appliedLimitVersion: 2 } })).toBe('pending')
    // Open at the limit: the agent has not cut the connection yet, the top-up still counts as applied.
    expect(topUpStatus({ ...usedUp, sub: { ...usedUp.sub, state: 'open' } })).toBe('restored')
  })

  it('says access is restored for someone who bought while blocked or throttled', () => {
    expect(topUpStatus(bought({ appliedLimitVersion: 3, state: 'open' }, 'blocked'))).toBe('restored')
    expect(topUpStatus(bought({ appliedLimitVersion: 4, state: 'open' }, 'throttled'))).toBe('restored')
  })

  it('says applied for someone who was online anyway, or is still slowed', () => {
    expect(topUpStatus(bought({ appliedLimitVersion: 3, state: 'open' }, 'open'))).toBe('applied')
    expect(topUpStatus(bought({ appliedLimitVersion: 3, state: 'open' }))).toBe('applied')
    expect(topUpStatus(bought({ appliedLimitVersion: 3, state: 'throttled' }, 'throttled'))).toBe('applied')
  })

  it('has nothing to say about a top-up that is not the subscriber’s, or does not exist', () => {
    const applied = bought({ appliedLimitVersion: 3, state: 'open' }, 'blocked')
    expect(topUpStatus({ ...applied, topUp: { subscriberId: 'sub_ben' } })).toBeUndefined()
    expect(topUpStatus({ ...applied, topUp: undefined })).toBeUndefined()
  })
})
