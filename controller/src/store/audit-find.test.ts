import { describe, expect, it } from 'vitest'
import { type AuditQuery, findAudit, matchesAudit } from './audit-find.js'
import type { AuditEntry } from './entities.js'

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!
const maybe = <T>(value: T) => (Math.random() < 0.5 ? value : undefined)

function randomLog(n: number): AuditEntry[] {
  let atMs = 1_700_000_000_000
  return Array.from({ length: n }, (_, i) => {
    atMs += Math.floor(Math.random() * 3) * 60_000
    return {
      id: `aud_${String(i).padStart(6, '0')}`,
      atMs,
      actor: pick(['user:a', 'user:b', 'token:t', 'system']),
      action: pick(['topup.create', 'topup_plan.create', 'staff.role', 'plan.update']),
      entity: 'x',
      entityId: pick(['s1', 's2', 'p1']),
    }
  })
}

describe('finding audit entries', () => {
  it('pages through exactly the matching entries, newest first, for random logs and filters', () => {
    for (let round = 0; round < 200; round++) {
      const log = randomLog(Math.floor(Math.random() * 80))
      const first = log[0]?.atMs ?? 0
      const q: Omit<AuditQuery, 'limit'> = {}
      const actor = maybe(pick(['user:a', 'user:b', 'token:t', 'system', 'user:nobody']))
      const action = maybe(pick(['topup', 'topup.create', 'topup_plan', 'staff', 'plan.update', 'top']))
      const entityId = maybe(pick(['s1', 's2', 'p1']))
      const fromMs = maybe(first + Math.floor(Math.random() * 40) * 60_000)
      const toMs = maybe(first + Math.floor(Math.random() * 80) * 60_000)
      Object.assign(
        q,
        ...Object.entries({ actor, action, entityId, fromMs, toMs })
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ({ [k]: v })),
      )
      const expected = log.filter((e) => matchesAudit(e, { ...q, limit: 0 })).reverse()
      const limit = 1 + Math.floor(Math.random() * 10)
      const seen: AuditEntry[] = []
      let before: string | undefined
      for (let pages = 0; pages < 100; pages++) {
        const page = findAudit(log, { ...q, limit, ...(before === undefined ? {} : { before }) })
        expect(page.items.length).toBeLessThanOrEqual(limit)
        seen.push(...page.items)
        if (page.nextCursor === null) break
        before = page.nextCursor
      }
      expect(seen).toEqual(expected)
    }
  })

  it('an action filter is the action or its group, never a prefix of a word', () => {
    const entry = {
      id: 'a',
      atMs: 0,
      actor: 'system',
      action: 'topup_plan.create',
      entity: 'x',
      entityId: 'y',
    }
    expect(matchesAudit(entry, { action: 'topup_plan', limit: 1 })).toBe(true)
    expect(matchesAudit(entry, { action: 'topup', limit: 1 })).toBe(false)
    expect(matchesAudit(entry, { action: 'topup_plan.create', limit: 1 })).toBe(true)
  })
})
