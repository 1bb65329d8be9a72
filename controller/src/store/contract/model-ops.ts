/**
 * Random operations for the model-based contract test: each runs against a transaction and says
 * what the reference model expects of it (an answer, a refusal, or a check for answers where any
 * of several rows is right), applying its writes to the model as it goes.
 */
import { parseIpPrefix } from '@capd/protocol'
import type { Random } from '@capd/protocol/testing'
import { expect } from 'vitest'
import type { Channel, Delivery, DeliveryStatus, EnforcementState, Subscriber } from '../entities.js'
import type { Tx } from '../store.js'
import {
  byId,
  dueDeliveries,
  findAudit,
  findDeliveries,
  findSubscribers,
  limitsDiffer,
  type ModelState,
  openCount,
  overlapping,
  sortedRows,
} from './model.js'
import { allPages } from './queries-contract.js'
import { auditEntry, delivery, idempotencyRecord, subscriber, topUp, usageDay, usd } from './rows.js'

export type Expectation = { value: unknown } | { refused: RegExp } | { check: (actual: unknown) => void }

/** What the model learnt of the running transaction's writes, to check what its commit hands on. */
export interface TxNotes {
  /** Subscribers written with a change of their limit inputs (a commit may hand on only these). */
  limitWrites: Set<string>
  topUpsAdded: string[]
  /** Deliveries written `queued` at some point (a commit must say it queued one if one still is). */
  queued: Set<string>
}

export const freshNotes = (): TxNotes => ({ limitWrites: new Set(), topUpsAdded: [], queued: new Set() })

export interface Op {
  label: string
  run(tx: Tx): Promise<unknown>
  expect(m: ModelState, notes: TxNotes): Expectation
}

/** Ids that sort differently by bytes than by a locale's collation. */
const SUBSCRIBER_IDS = ['sub_a', 'sub_B', 'sub-c', 'sub_a1', 'SUB_d', 'sub_0', 'sub_Z9', 'sub_b']
const AGENTS = ['agt_1', 'agt_2']
const ADDRESSES = [
  '10.0.0.1',
  '10.0.0.0/30',
  '10.0.1.0/24',
  '10.0.0.2',
  '2001:db8::/64',
  '2001:db8::5',
  '2001:db8:1::/48',
]
const NAMES = ['Amina Otieno', 'amin', 'Brian Kip', 'Zoë', 'O’Neil', 'carol']
const STATES: EnforcementState[] = ['open', 'blocked', 'throttled']
const CHANNELS: Channel[] = ['email', 'sms', 'webhook']
const STATUSES: DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed']
const DAYS = ['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02', '2026-02-28', '2026-03-01']
const ACTORS = ['user:usr_1', 'token:tok_1', 'system']
const ACTIONS = ['topup.create', 'topup.reverse', 'topups.bulk', 'plan.update', 'subscriber']
const QUERIES = ['am', 'AMIN', 'b', 'zoë', '’', 'sub_', '10.0.0', 'db8:', '@example', 'x%', '_']

/** A write the model applies; it answers nothing. */
const done = (apply: () => unknown): Expectation => {
  apply()
  return { value: undefined }
}

export const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!
const maybe = <T>(r: Random, p: number, x: () => T): T | undefined => (r.next() < p ? x() : undefined)
/** Random case, so case-insensitive reads are tested. */
const recase = (r: Random, s: string) =>
  [...s].map((c) => (r.next() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('')

/** Clocks that only go forward, as the controller's do. */
export interface Clocks {
  auditSeq: number
  auditMs: number
  nowMs: number
  topUpSeq: number
}

const loginOf = (id: string) => `cust${SUBSCRIBER_IDS.indexOf(id)}.Login`

function randomSubscriber(r: Random, id: string): Subscriber {
  const { email: _, ...noEmail } = subscriber(id)
  const base = r.next() < 0.2 ? noEmail : subscriber(id)
  const deletedAtMs = maybe(r, 0.15, () => r.int(1, 1000))
  const limitVersion = maybe(r, 0.5, () => r.int(0, 3))
  return {
    ...base,
    name: pick(r, NAMES),
    // Unique per subscriber whatever its case (ids alone are not: sub_B, sub_b): logins never collide.
    login: recase(r, loginOf(id)),
    agentId: pick(r, AGENTS),
    address: pick(r, ADDRESSES),
    state: pick(r, STATES),
    balance: usd(r.int(-500, 500)),
    usedBytes: r.int(0, 5) * 1_000_000_007,
    ...(deletedAtMs === undefined ? {} : { deletedAtMs }),
    ...(limitVersion === undefined ? {} : { limitVersion }),
  }
}

function randomDelivery(r: Random, id: string): Delivery {
  const status = pick(r, STATUSES)
  return delivery(id, {
    notificationId: pick(r, ['n/1', 'n/2', 'n/3']),
    channel: pick(r, CHANNELS),
    status,
    event: pick(r, ['usage.threshold', 'topup.applied', 'agent.offline'] as const),
    subscriberId: pick(r, SUBSCRIBER_IDS),
    attempts: r.int(0, 3),
    nextAttemptAtMs: r.int(0, 20) * 100,
    ...(status === 'sent' ? { sentAtMs: 5 } : {}),
  })
}

const deliveryId = (r: Random) => `dlv_${String(r.int(0, 15)).padStart(2, '0')}`

function writeSubscriber(r: Random): Op {
  const id = pick(r, SUBSCRIBER_IDS)
  const row = randomSubscriber(r, id)
  const insert = r.next() < 0.5
  return {
    label: `${insert ? 'insert' : 'update'} subscriber ${JSON.stringify(row)}`,
    run: (tx) => (insert ? tx.subscribers.insert(row) : tx.subscribers.update(row)),
    expect(m, notes) {
      const old = m.subscribers.get(id)
      if (insert && old) return { refused: /duplicate/i }
      if (!insert && !old) return { refused: /missing/i }
      if (limitsDiffer(old, row)) notes.limitWrites.add(id)
      m.subscribers.set(id, row)
      return { value: undefined }
    },
  }
}

function readSubscribers(r: Random): Op {
  const kind = r.int(0, 5)
  if (kind === 0) {
    const id = pick(r, SUBSCRIBER_IDS)
    return {
      label: `get subscriber ${id}`,
      run: (tx) => tx.subscribers.get(id),
      expect: (m) => ({ value: m.subscribers.get(id) }),
    }
  }
  if (kind === 1) {
    const login = recase(r, loginOf(pick(r, SUBSCRIBER_IDS)))
    return {
      label: `byLogin ${login}`,
      run: (tx) => tx.subscribers.byLogin(login),
      expect: (m) => ({
        value: [...m.subscribers.values()].find((s) => s.login.toLowerCase() === login.toLowerCase()),
      }),
    }
  }
  if (kind === 2) {
    const agentId = pick(r, AGENTS)
    return {
      label: `forAgent ${agentId}`,
      run: (tx) => tx.subscribers.forAgent(agentId),
      expect: (m) => ({
        value: sortedRows(m.subscribers.values()).filter(
          (s) => s.agentId === agentId && s.deletedAtMs === undefined,
        ),
      }),
    }
  }
  if (kind === 3) {
    const agentId = pick(r, AGENTS)
    const prefix = parseIpPrefix(
      pick(r, [...ADDRESSES, '10.0.0.0/8', '10.0.0.3', '2001:db8::/32', '10.0.2.0/24']),
    )
    const exceptId = maybe(r, 0.4, () => pick(r, SUBSCRIBER_IDS))
    return {
      label: `overlappingAddress ${agentId} ${prefix.text} except ${exceptId}`,
      run: async (tx) => (await tx.subscribers.overlappingAddress(agentId, prefix, exceptId))?.id,
      expect: (m) => {
        const candidates = overlapping(m, agentId, prefix, exceptId)
        return {
          check: (actual) =>
            candidates.length === 0 ? expect(actual).toBeUndefined() : expect(candidates).toContain(actual),
        }
      },
    }
  }
  if (kind === 4)
    return {
      label: 'list subscribers',
      run: (tx) => tx.subscribers.list(),
      expect: (m) => ({ value: sortedRows(m.subscribers.values()) }),
    }
  const query = {
    q: maybe(r, 0.4, () => pick(r, QUERIES)),
    state: maybe(r, 0.3, () => pick(r, STATES)),
    agentId: maybe(r, 0.3, () => pick(r, AGENTS)),
    deleted: maybe(r, 0.3, () => r.next() < 0.5),
    after: maybe(r, 0.3, () => pick(r, [...SUBSCRIBER_IDS, 'sub_', 'sub_a0', ''])),
    limit: r.int(1, 9),
  }
  const walk = r.next() < 0.5
  return {
    label: `find subscribers ${JSON.stringify(query)}${walk ? ' (every page)' : ''}`,
    run: async (tx) =>
      walk
        ? (await allPages((after) => tx.subscribers.find({ ...query, after: after ?? query.after }))).items
        : tx.subscribers.find(query),
    expect: (m) => ({
      value: walk
        ? findSubscribers(m, { ...query, limit: Number.MAX_SAFE_INTEGER }).items
        : findSubscribers(m, query),
    }),
  }
}

function outbox(r: Random): Op {
  const kind = r.int(0, 6)
  const id = deliveryId(r)
  if (kind <= 1) {
    const row = randomDelivery(r, id)
    const insert = kind === 0
    return {
      label: `${insert ? 'insert' : 'update'} delivery ${JSON.stringify(row)}`,
      run: (tx) => (insert ? tx.deliveries.insert(row) : tx.deliveries.update(row)),
      expect(m, notes) {
        if (insert && m.deliveries.has(id)) return { refused: /duplicate/i }
        if (!insert && !m.deliveries.has(id)) return { refused: /missing/i }
        if (row.status === 'queued') notes.queued.add(id)
        m.deliveries.set(id, row)
        return { value: undefined }
      },
    }
  }
  if (kind === 2)
    return {
      label: `delete delivery ${id}`,
      run: (tx) => tx.deliveries.delete(id),
      expect: (m) => done(() => m.deliveries.delete(id)),
    }
  if (kind === 3) {
    const nowMs = r.int(0, 22) * 100
    const limit = r.int(1, 6)
    return {
      label: `due ${nowMs} ${limit}`,
      run: (tx) => tx.deliveries.due(nowMs, limit),
      expect: (m) => ({ value: dueDeliveries(m, nowMs, limit) }),
    }
  }
  if (kind === 4) {
    const n = pick(r, ['n/1', 'n/2', 'n/3', 'n/4'])
    return {
      label: `openCount, forNotification ${n}`,
      run: async (tx) => [await tx.deliveries.openCount(), await tx.deliveries.forNotification(n)],
      expect: (m) => ({
        value: [openCount(m), sortedRows(m.deliveries.values()).filter((d) => d.notificationId === n)],
      }),
    }
  }
  const query = {
    status: maybe(r, 0.3, () => pick(r, STATUSES)),
    channel: maybe(r, 0.3, () => pick(r, CHANNELS)),
    subscriberId: maybe(r, 0.2, () => pick(r, SUBSCRIBER_IDS)),
    event: maybe(r, 0.2, () => pick(r, ['usage.threshold', 'agent.offline'] as const)),
    before: maybe(r, 0.3, () => pick(r, [deliveryId(r), 'dlv_055', 'dlv_', 'dlv_99'])),
    limit: r.int(1, 7),
  }
  return {
    label: `find deliveries ${JSON.stringify(query)}`,
    run: (tx) => tx.deliveries.find(query),
    expect: (m) => ({ value: findDeliveries(m, query) }),
  }
}

function usageHistory(r: Random): Op {
  const sub = pick(r, SUBSCRIBER_IDS.slice(0, 3))
  const day = pick(r, DAYS)
  const kind = r.int(0, 3)
  if (kind === 0) {
    const row = usageDay(sub, day, r.int(1, 9) * 1000)
    return {
      label: `upsert usage day ${row.id}`,
      run: async (tx) =>
        (await tx.usageDays.get(row.id)) ? tx.usageDays.update(row) : tx.usageDays.insert(row),
      expect: (m) => done(() => m.usageDays.set(row.id, row)),
    }
  }
  if (kind === 1)
    return {
      label: `delete usage day ${sub}/${day}`,
      run: (tx) => tx.usageDays.delete(`${sub}/${day}`),
      expect: (m) => done(() => m.usageDays.delete(`${sub}/${day}`)),
    }
  if (kind === 2) {
    const [from, to] = [day, pick(r, DAYS)]
    return {
      label: `usage days of ${sub} ${from}..${to}`,
      run: (tx) => tx.usageDays.forSubscriber(sub, from, to),
      expect: (m) => ({
        value: sortedRows(m.usageDays.values()).filter(
          (d) => d.subscriberId === sub && d.day >= from && d.day <= to,
        ),
      }),
    }
  }
  const limit = r.int(1, 5)
  return {
    label: `usage days before ${day}, ${limit}`,
    run: (tx) => tx.usageDays.before(day, limit),
    expect: (m) => {
      const older = sortedRows(m.usageDays.values()).filter((d) => d.day < day)
      // Which rows come when there are more than `limit` is not promised: only how many, and that they are older.
      return {
        check: (actual) => {
          const rows = [...(actual as typeof older)].sort(byId)
          expect(rows).toHaveLength(Math.min(limit, older.length))
          for (const row of rows) expect(older).toContainEqual(row)
          expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length)
        },
      }
    },
  }
}

function auditAndKeys(r: Random, clocks: Clocks): Op {
  const kind = r.int(0, 7)
  if (kind <= 1) {
    clocks.auditMs += r.int(0, 3)
    const entry = auditEntry(`aud_${String(++clocks.auditSeq).padStart(5, '0')}`, clocks.auditMs, {
      actor: pick(r, ACTORS),
      action: pick(r, ACTIONS),
      entityId: pick(r, SUBSCRIBER_IDS.slice(0, 3)),
    })
    return {
      label: `audit append ${JSON.stringify(entry)}`,
      run: (tx) => tx.audit.append(entry),
      expect: (m) => done(() => m.audit.push(entry)),
    }
  }
  if (kind === 2) {
    const beforeMs = clocks.auditMs - r.int(0, 40)
    return {
      label: `audit prune ${beforeMs}`,
      run: (tx) => tx.audit.prune(beforeMs),
      expect: (m) => done(() => m.audit.splice(0, m.audit.filter((e) => e.atMs < beforeMs).length)),
    }
  }
  if (kind === 3) {
    const limit = r.int(1, 8)
    const query = {
      actor: maybe(r, 0.3, () => pick(r, ACTORS)),
      action: maybe(r, 0.3, () => pick(r, ['topup', 'topups', 'plan.update', 'subscriber', 'top'])),
      entityId: maybe(r, 0.2, () => pick(r, SUBSCRIBER_IDS.slice(0, 3))),
      fromMs: maybe(r, 0.2, () => clocks.auditMs - r.int(0, 30)),
      toMs: maybe(r, 0.2, () => clocks.auditMs - r.int(0, 30)),
      before: maybe(r, 0.3, () => `aud_${String(r.int(1, clocks.auditSeq + 1)).padStart(5, '0')}`),
      limit,
    }
    return {
      label: `audit list ${limit}, find ${JSON.stringify(query)}`,
      run: async (tx) => [await tx.audit.list(limit), await tx.audit.find(query)],
      expect: (m) => {
        const list = [...m.audit].reverse().slice(0, limit)
        if (query.before === undefined || m.audit.some((e) => e.id === query.before))
          return { value: [list, findAudit(m, query)] }
        // A cursor no longer in the log (pruned, or never written): what follows it is not promised.
        return { check: (actual) => expect((actual as unknown[])[0]).toEqual(list) }
      },
    }
  }
  const scope = `user:${r.int(1, 2)}|key-${r.int(1, 4)}`
  if (kind === 4) {
    clocks.nowMs += r.int(0, 5)
    const record = idempotencyRecord(scope, clocks.nowMs)
    return {
      label: `idempotency put ${scope} at ${clocks.nowMs}`,
      run: (tx) => tx.idempotency.put(record),
      expect: (m) => done(() => m.idempotency.set(scope, record)),
    }
  }
  if (kind === 5) {
    const beforeMs = clocks.nowMs - r.int(0, 20)
    return {
      label: `idempotency prune ${beforeMs}`,
      run: (tx) => tx.idempotency.prune(beforeMs),
      expect: (m) => {
        for (const [key, record] of m.idempotency)
          if (record.createdAtMs < beforeMs) m.idempotency.delete(key)
        return { value: undefined }
      },
    }
  }
  if (kind === 6)
    return {
      label: `idempotency get ${scope}`,
      run: (tx) => tx.idempotency.get(scope),
      expect: (m) => ({ value: m.idempotency.get(scope) }),
    }
  const name = pick(r, ['invoice', 'credit_note'])
  return {
    label: `nextSequence ${name}`,
    run: (tx) => tx.nextSequence(name),
    expect: (m) => {
      const next = (m.sequences.get(name) ?? 0) + 1
      m.sequences.set(name, next)
      return { value: next }
    },
  }
}

function topUps(r: Random, clocks: Clocks): Op {
  const sub = pick(r, SUBSCRIBER_IDS.slice(0, 3))
  if (r.next() < 0.5)
    return {
      label: `top-ups of ${sub}`,
      run: (tx) => tx.topUps.forSubscriber(sub),
      expect: (m) => ({ value: sortedRows(m.topUps.values()).filter((t) => t.subscriberId === sub) }),
    }
  const row = topUp(`top_${String(++clocks.topUpSeq).padStart(5, '0')}`, sub)
  return {
    label: `insert top-up ${row.id} for ${sub}`,
    run: (tx) => tx.topUps.insert(row),
    expect: (m, notes) => {
      m.topUps.set(row.id, row)
      notes.topUpsAdded.push(row.id)
      return { value: undefined }
    },
  }
}

export function randomOp(r: Random, clocks: Clocks): Op {
  const area = r.int(0, 9)
  if (area <= 1) return writeSubscriber(r)
  if (area <= 3) return readSubscribers(r)
  if (area <= 5) return outbox(r)
  if (area === 6) return usageHistory(r)
  if (area === 7) return topUps(r, clocks)
  return auditAndKeys(r, clocks)
}
