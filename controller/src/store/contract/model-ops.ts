/**
 * Random operations for the model-based contract test: each runs against a transaction and says
 * what the reference model expects of it (an answer, a refusal, or a check for answers where any
 * of several rows is right), applying its writes to the model as it goes.
 */
import type { Random } from '@capd/protocol/testing'
import { expect } from 'vitest'
import { findAudit, sortedRows } from './model.js'
import { type Clocks, done, maybe, type Op, pick, SUBSCRIBER_IDS } from './model-op-kit.js'
import { advanceDelivery, outbox, usageHistory } from './model-outbox-ops.js'
import { readSubscribers, tweakSubscriber, writeSubscriber } from './model-subscriber-ops.js'
import { allPages } from './queries-contract.js'
import { auditEntry, idempotencyRecord, topUp } from './rows.js'

export { type Clocks, freshNotes, type Op, type TxNotes } from './model-op-kit.js'

const ACTORS = ['user:usr_1', 'token:tok_1', 'system']
const ACTIONS = ['topup.create', 'topup.reverse', 'topups.bulk', 'plan.update', 'subscriber']

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
      run: async (tx) => [
        await tx.audit.list(limit),
        await tx.audit.find(query),
        // Every page from the newest, with the same filters.
        (await allPages((before) => tx.audit.find({ ...query, before }))).items,
      ],
      expect: (m) => {
        const list = [...m.audit].reverse().slice(0, limit)
        const all = findAudit(m, { ...query, before: undefined, limit: Number.MAX_SAFE_INTEGER }).items
        if (query.before === undefined || m.audit.some((e) => e.id === query.before))
          return { value: [list, findAudit(m, query), all] }
        // A cursor no longer in the log (pruned, or never written): what follows it is not promised.
        return {
          check: (actual) => {
            const [gotList, , gotAll] = actual as unknown[]
            expect(gotList).toEqual(list)
            expect(gotAll).toEqual(all)
          },
        }
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
  const area = r.int(0, 12)
  if (area <= 1) return writeSubscriber(r)
  if (area === 2) return tweakSubscriber(r)
  if (area <= 4) return readSubscribers(r)
  if (area <= 6) return outbox(r)
  if (area === 7) return advanceDelivery(r)
  if (area === 8) return usageHistory(r)
  if (area === 9) return topUps(r, clocks)
  return auditAndKeys(r, clocks)
}
