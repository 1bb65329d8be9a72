/** Random outbox and usage history operations for the model-based contract test. */
import type { Random } from '@capd/protocol/testing'
import { expect } from 'vitest'
import type { Channel, Delivery, DeliveryStatus } from '../entities.js'
import { attemptOutcome, byId, dueDeliveries, findDeliveries, openCount, sortedRows } from './model.js'
import { done, maybe, type Op, pick, SUBSCRIBER_IDS } from './model-op-kit.js'
import { allPages } from './queries-contract.js'
import { delivery, usageDay } from './rows.js'

const CHANNELS: Channel[] = ['email', 'sms', 'webhook']
const STATUSES: DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed']
const DAYS = ['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02', '2026-02-28', '2026-03-01']

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

export function outbox(r: Random): Op {
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
        const before = m.deliveries.get(id)
        const outcome = before && attemptOutcome(before, row)
        if (outcome) notes.outcomes.push({ channel: row.channel, outcome })
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
  const walk = r.next() < 0.5
  return {
    label: `find deliveries ${JSON.stringify(query)}${walk ? ' (every page)' : ''}`,
    run: async (tx) =>
      walk
        ? (await allPages((before) => tx.deliveries.find({ ...query, before: before ?? query.before }))).items
        : tx.deliveries.find(query),
    expect: (m) => {
      const all = findDeliveries(m, { ...query, limit: Number.MAX_SAFE_INTEGER })
      return { value: walk ? all.items : findDeliveries(m, query) }
    },
  }
}

export function usageHistory(r: Random): Op {
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

/**
 * A delivery taken through its life as the sender does: claimed (`sending`, an attempt started),
 * then sent, retried or given up. Each end of an attempt is a commit's delivery outcome; a claim is not.
 */
export function advanceDelivery(r: Random): Op {
  const id = deliveryId(r)
  const roll = r.int(0, 2)
  let row: Delivery | undefined
  return {
    label: `advance delivery ${id} (${roll})`,
    run: (tx) => tx.deliveries.update(row ?? delivery(id)),
    expect(m, notes) {
      const old = m.deliveries.get(id)
      if (!old) return { refused: /missing/i }
      if (old.status === 'queued') row = { ...old, status: 'sending', attempts: old.attempts + 1 }
      else if (old.status === 'sending') {
        const end = (['sent', 'retry', 'failed'] as const)[roll]!
        row =
          end === 'sent'
            ? { ...old, status: 'sent', sentAtMs: 7 }
            : end === 'retry'
              ? { ...old, status: 'queued', lastError: 'try later' }
              : { ...old, status: 'failed', lastError: 'gone' }
      } else row = { ...old, providerRef: `ref-${roll}` } // an ended delivery says nothing more
      if (row.status === 'queued') notes.queued.add(id)
      const outcome = attemptOutcome(old, row)
      if (outcome) notes.outcomes.push({ channel: row.channel, outcome })
      m.deliveries.set(id, row)
      return { value: undefined }
    },
  }
}
