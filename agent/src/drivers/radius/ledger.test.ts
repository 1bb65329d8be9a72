import { describe, expect, it } from 'vitest'
import type { SubscriberRule } from '../driver.js'
import type { AccountingRecord } from './accounting-record.js'
import { ENDED_KEEP_MS, Ledger } from './ledger.js'

const T0 = Date.parse('2026-03-10T12:00:00Z')
const rule = (subscriberId: string, login?: string): SubscriberRule => ({
  subscriberId,
  address: '10.0.0.2',
  state: 'open',
  ...(login ? { login } : {}),
})
const rec = (
  status: AccountingRecord['status'],
  sessionId: string,
  down = 0n,
  up = 0n,
  extra = {},
): AccountingRecord => ({
  status,
  sessionId,
  userName: 'alice',
  down,
  up,
  delayS: 0,
  ...extra,
})
const counted = (ledger: Ledger, id = 'sub_a') => {
  const s = ledger.samples().find((x) => x.subscriberId === id)
  return s && [s.down, s.up]
}

function ledgerWithAlice(): Ledger {
  const ledger = Ledger.fresh(T0)
  ledger.createCounter('sub_a', 'alice')
  return ledger
}

describe('the accounting ledger', () => {
  it('after a NAS restart (Accounting-On) takes a Start that reuses a session id as a new session', () => {
    const ledger = ledgerWithAlice()
    ledger.record(rec('start', 's1'), 'nas1', T0 + 1000)
    ledger.record(rec('interim', 's1', 900n, 90n), 'nas1', T0 + 2000)
    ledger.record({ status: 'nasOn', down: 0n, up: 0n, delayS: 0 }, 'nas1', T0 + 3000)
    // A Start for the same id before the restart would be a duplicate; after it, a new session.
    ledger.record(rec('start', 's1'), 'nas1', T0 + 4000)
    ledger.record(rec('stop', 's1', 100n, 10n), 'nas1', T0 + 5000)
    expect(counted(ledger)).toEqual([1000n, 100n])
    // A Start of a session ended by its Stop is a duplicate: the same totals again add nothing.
    ledger.record(rec('start', 's1'), 'nas1', T0 + 6000)
    ledger.record(rec('stop', 's1', 100n, 10n), 'nas1', T0 + 7000)
    expect(counted(ledger)).toEqual([1000n, 100n])
    expect(ledger.addresses().size).toBe(0)
  })

  it('counts a session first heard of mid-way from zero only if it began after the ledger did', () => {
    const ledger = ledgerWithAlice()
    // Began an hour before the ledger existed: its bytes so far may be booked already.
    ledger.record(rec('interim', 'old', 5000n, 500n, { sessionTimeS: 3600 }), 'nas1', T0 + 60_000)
    ledger.record(rec('interim', 'old', 5100n, 510n, { sessionTimeS: 3660 }), 'nas1', T0 + 120_000)
    // Began after it (its Start lost or still on the way): every byte is new.
    ledger.record(rec('interim', 'new', 700n, 70n, { sessionTimeS: 30 }), 'nas1', T0 + 60_000)
    // No Acct-Session-Time: when it began is unknown, so only what it moves from now on counts.
    ledger.record(rec('interim', 'unknown', 50n, 5n), 'nas1', T0 + 60_000)
    ledger.record(rec('interim', 'unknown', 60n, 6n), 'nas1', T0 + 70_000)
    expect(counted(ledger)).toEqual([100n + 700n + 10n, 10n + 70n + 1n])
  })

  it('forgets sessions ended long ago without ever counting them again', () => {
    const ledger = ledgerWithAlice()
    ledger.record(rec('start', 's1'), 'nas1', T0 + 1000)
    ledger.record(rec('stop', 's1', 800n, 80n, { sessionTimeS: 60 }), 'nas1', T0 + 61_000)
    const later = T0 + 61_000 + ENDED_KEEP_MS + 1
    expect(ledger.prune(later)).toBe(true)
    expect(ledger.sessionCount).toBe(0)
    // A very late copy of its Stop (Acct-Delay-Time says how late, in whole seconds, rounded up by a
    // sloppy NAS): the session is forgotten, but it began no later than the ones forgotten.
    const delayS = Math.ceil((later + 1000 - (T0 + 61_000)) / 1000) - 7
    ledger.record(rec('stop', 's1', 800n, 80n, { sessionTimeS: 60, delayS }), 'nas1', later + 1000)
    expect(counted(ledger)).toEqual([800n, 80n])
    // A session that began well after those (its Start lost) counts from zero.
    ledger.record(rec('stop', 's2', 5n, 1n, { sessionTimeS: 60 }), 'nas1', later + 2000)
    expect(counted(ledger)).toEqual([805n, 81n])
  })

  it('keeps one counter per login: a new login is a new counter, a shared or missing login is skipped', () => {
    const ledger = ledgerWithAlice()
    const plan = ledger.plan([
      rule('sub_a', 'alice2'),
      rule('sub_b', 'bob'),
      rule('sub_c', 'bob'),
      rule('sub_d'),
    ])
    expect(plan.remove).toEqual(['sub_a'])
    expect(plan.create).toEqual([
      { subscriberId: 'sub_a', login: 'alice2' },
      { subscriberId: 'sub_b', login: 'bob' },
    ])
    expect(plan.skipped.map((p) => [p.subscriberId, p.code])).toEqual([
      ['sub_c', 'login_taken'],
      ['sub_d', 'no_login'],
    ])
    const before = ledger.samples()[0]!.counterId
    for (const c of plan.create) ledger.createCounter(c.subscriberId, c.login)
    expect(ledger.samples().find((s) => s.subscriberId === 'sub_a')!.counterId).not.toBe(before)
    // alice's sessions count for nobody now.
    ledger.record(rec('stop', 'x', 10n, 1n, { sessionTimeS: 1 }), 'nas1', T0 + 5000)
    expect(counted(ledger)).toEqual([0n, 0n])
  })

  it('comes back from its file the same, 64-bit totals included; a damaged file is refused', () => {
    const ledger = ledgerWithAlice()
    const big = 2n ** 63n + 12345n
    ledger.record(rec('start', 's1', 0n, 0n, { framedIp: '100.64.0.9' }), 'nas1', T0)
    ledger.record(rec('interim', 's1', big, 7n), 'nas1', T0 + 1000)
    const again = Ledger.fromJson(ledger.toJson())
    expect(again.toJson()).toBe(ledger.toJson())
    expect(counted(again)).toEqual([big, 7n])
    expect(again.addresses()).toEqual(new Map([['sub_a', ['100.64.0.9']]]))
    expect(() => Ledger.fromJson(ledger.toJson().replace('"v":1', '"v":2'))).toThrow()
    expect(() => Ledger.fromJson('{"v":1,')).toThrow()
  })
})
