/** Random subscriber operations for the model-based contract test: writes, refused writes, and every finder. */
import { parseIpPrefix } from '@capd/protocol'
import { type Random, seededRandom } from '@capd/protocol/testing'
import { expect } from 'vitest'
import type { EnforcementState, Subscriber } from '../entities.js'
import { findSubscribers, limitsDiffer, overlapping, sortedRows } from './model.js'
import { AGENTS, maybe, type Op, pick, recase, SUBSCRIBER_IDS } from './model-op-kit.js'
import { allPages } from './queries-contract.js'
import { subscriber, usd } from './rows.js'

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
const QUERIES = ['am', 'AMIN', 'b', 'zoë', '’', 'sub_', '10.0.0', 'db8:', '@example', 'x%', '_']

const loginOf = (id: string) => `cust${SUBSCRIBER_IDS.indexOf(id)}.Login`

/** An address from ADDRESSES, or now and then none (a subscriber known by its login). */
function withRandomAddress(r: Random, s: Subscriber): Subscriber {
  const { address: _, ...byLogin } = s
  return r.next() < 0.15 ? byLogin : { ...s, address: pick(r, ADDRESSES) }
}

function randomSubscriber(r: Random, id: string): Subscriber {
  const { email: _, ...noEmail } = subscriber(id)
  const base = r.next() < 0.2 ? noEmail : subscriber(id)
  const deletedAtMs = maybe(r, 0.15, () => r.int(1, 1000))
  const limitVersion = maybe(r, 0.5, () => r.int(0, 3))
  const formerAgentIds = maybe(r, 0.4, () => randomFormerAgents(r))
  return withRandomAddress(r, {
    ...base,
    name: pick(r, NAMES),
    // Unique per subscriber whatever its case (ids alone are not: sub_B, sub_b): logins never collide.
    login: recase(r, loginOf(id)),
    agentId: pick(r, AGENTS),
    state: pick(r, STATES),
    // Never below zero: the domain refuses such a debit, and the PostgreSQL store's constraint too.
    balance: usd(r.int(0, 500)),
    usedBytes: r.int(0, 5) * 1_000_000_007,
    ...(deletedAtMs === undefined ? {} : { deletedAtMs }),
    ...(limitVersion === undefined ? {} : { limitVersion }),
    ...(formerAgentIds === undefined ? {} : { formerAgentIds }),
  })
}

/** One or more agents a subscriber was moved away from (any of them may be its agent again). */
function randomFormerAgents(r: Random): string[] {
  return AGENTS.filter(() => r.next() < 0.5)
    .concat(pick(r, AGENTS))
    .filter((a, i, all) => all.indexOf(a) === i)
}

export function writeSubscriber(r: Random): Op {
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

/** One field of a row changed, as the domain's writes do: a commit must tell a limit input's change from the rest. */
const TWEAKS: ((r: Random, s: Subscriber) => Subscriber)[] = [
  (r, s) => ({ ...s, usedBytes: s.usedBytes + r.int(1, 9) }),
  (r, s) => ({ ...s, balance: usd(Math.max(0, s.balance.amount + r.int(-9, 9))) }),
  (r, s) => ({ ...s, state: pick(r, STATES) }),
  (r, s) => ({ ...s, name: pick(r, NAMES) }),
  (r, s) => ({ ...s, agentId: pick(r, AGENTS) }),
  (r, s) => {
    if (r.next() < 0.7) return { ...s, formerAgentIds: randomFormerAgents(r) }
    const { formerAgentIds: _, ...never } = s
    return never
  },
  withRandomAddress,
  (r, s) => ({ ...s, limitVersion: (s.limitVersion ?? 0) + r.int(0, 1) }),
  (r, s) => ({ ...s, login: recase(r, s.login) }),
  (r, s) => {
    if (s.deletedAtMs === undefined) return { ...s, deletedAtMs: r.int(1, 1000) }
    const { deletedAtMs: _, ...live } = s
    return live
  },
]

export function tweakSubscriber(r: Random): Op {
  const id = pick(r, SUBSCRIBER_IDS)
  const tweak = r.int(0, TWEAKS.length - 1)
  const tweakRandom = seededRandom(r.int(0, 2 ** 31))
  let row: Subscriber | undefined
  return {
    label: `tweak ${tweak} of subscriber ${id}`,
    run: (tx) => tx.subscribers.update(row ?? subscriber(id)),
    expect(m, notes) {
      const old = m.subscribers.get(id)
      if (!old) return { refused: /missing/i }
      row = TWEAKS[tweak]!(tweakRandom, old)
      if (limitsDiffer(old, row)) notes.limitWrites.add(id)
      m.subscribers.set(id, row)
      return { value: undefined }
    },
  }
}

export function readSubscribers(r: Random): Op {
  const kind = r.int(0, 6)
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
  if (kind === 6) {
    const agentId = pick(r, AGENTS)
    return {
      label: `movedFrom ${agentId}`,
      run: (tx) => tx.subscribers.movedFrom(agentId),
      expect: (m) => ({
        value: sortedRows(m.subscribers.values()).filter((s) => s.formerAgentIds?.includes(agentId)),
      }),
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
