import { describe, expect, it } from 'vitest'
import { ByteCount } from './bytes.js'
import {
  type Ack,
  AgentMessage,
  ControllerMessage,
  ErrorMessage,
  Hello,
  Limits,
  MAX_USAGE_ENTRIES,
  PROTOCOL_VERSION,
  State,
  SubscriberLimit,
  Sync,
  Usage,
  type UsageEntry,
} from './messages.js'
import { MAX_PROBLEMS, type Problems } from './problems.js'
import { downUp, Id, IsoInstant } from './wire-fields.js'

const limit: SubscriberLimit = {
  subscriberId: 'sub-42',
  address: '10.0.1.5',
  periodStart: '2026-03-01T00:00:00.000Z',
  periodEnd: '2026-04-01T00:00:00.000Z',
  limitBytes: 50_000_000_000,
  usedBytes: 1_234_567,
  limitVersion: 7,
  onCap: 'throttle',
  throttleKbps: 512,
}

function entry(seq: number, patch: Partial<UsageEntry> = {}): UsageEntry {
  return {
    seq,
    subscriberId: 'sub-42',
    periodStart: '2026-03-01T00:00:00.000Z',
    down: 1500,
    up: 300,
    atMs: 1_772_500_000_000 + seq,
    ...patch,
  }
}

const hello: Hello = {
  v: 1,
  type: 'hello',
  agentId: 'agent_1',
  epoch: 'e7Xq-91',
  lastSeq: 0,
  agentVersion: '0.1.0',
  driver: 'nftables',
}
const usage: Usage = { v: 1, type: 'usage', epoch: 'e7Xq-91', entries: [entry(1), entry(2), entry(5)] }
const state: State = {
  v: 1,
  type: 'state',
  atMs: 1_772_500_000_000,
  subscribers: [{ subscriberId: 'sub-42', state: 'blocked', limitVersion: 7, usedBytes: 50_000_000_000 }],
}
const problems: Problems = {
  v: 1,
  type: 'problems',
  atMs: 1_772_500_000_000,
  problems: [
    { subscriberId: 'sub-43', code: 'address_overlap', message: '10.0.0.0/16 overlaps 10.0.1.5 of sub-42' },
  ],
}
const error: ErrorMessage = { v: 1, type: 'error', code: 'bad_request', message: 'entries must not be empty' }
const sync: Sync = {
  v: 1,
  type: 'sync',
  serverTimeMs: 1_772_500_000_000,
  subscribers: [limit, { ...limit, subscriberId: 'sub-43', onCap: 'block', throttleKbps: undefined }],
}
const ack: Ack = { v: 1, type: 'ack', epoch: 'e7Xq-91', seq: 5 }
const limits: Limits = {
  v: 1,
  type: 'limits',
  subscribers: [{ ...limit, limitBytes: 60_000_000_000, limitVersion: 8 }],
}

/** The first issue message, or undefined when the value is valid. */
function firstIssue(
  schema: { safeParse(v: unknown): { error?: { issues: { message: string }[] } } },
  value: unknown,
) {
  return schema.safeParse(value).error?.issues[0]?.message
}

describe('message schemas', () => {
  it('PROTOCOL_VERSION is 1', () => {
    expect(PROTOCOL_VERSION).toBe(1)
  })

  it.each([
    ['hello', hello],
    ['usage', usage],
    ['state', state],
    ['problems', problems],
    ['problems (none left)', { ...problems, problems: [] }],
    ['synced', { v: 1, type: 'synced', syncId: 's-1', journalSeq: 0 }],
    ['error', error],
  ])('agent message %s survives JSON round-trip', (_, message) => {
    expect(AgentMessage.parse(JSON.parse(JSON.stringify(message)))).toEqual(
      JSON.parse(JSON.stringify(message)),
    )
  })

  it.each([
    ['sync', sync],
    ['sync with an id', { ...sync, syncId: 's-1' }],
    ['ack', ack],
    ['limits', limits],
    ['error', error],
  ])('controller message %s survives JSON round-trip', (_, message) => {
    const wire = JSON.parse(JSON.stringify(message))
    expect(ControllerMessage.parse(wire)).toEqual(wire)
  })

  it('keeps each union to its own direction', () => {
    expect(AgentMessage.safeParse(ack).success).toBe(false)
    expect(ControllerMessage.safeParse(hello).success).toBe(false)
  })

  it('rejects a wrong version and extra fields', () => {
    expect(firstIssue(Hello, { ...hello, v: 2 })).toBe('v must be 1')
    expect(Hello.safeParse({ ...hello, token: 'x' }).error?.issues[0]?.code).toBe('unrecognized_keys')
    expect(Usage.safeParse({ ...usage, entries: [{ ...entry(1), extra: true }] }).success).toBe(false)
    expect(Sync.safeParse({ ...sync, subscribers: [{ ...limit, note: '' }] }).success).toBe(false)
    expect(Sync.safeParse({ ...sync, syncId: '' }).success).toBe(false)
    expect(AgentMessage.safeParse({ v: 1, type: 'synced', syncId: 's', journalSeq: -1 }).success).toBe(false)
    expect(AgentMessage.safeParse({ v: 1, type: 'synced', journalSeq: 3 }).success).toBe(false)
  })

  it('rejects negative and fractional byte counts', () => {
    expect(firstIssue(Usage, { ...usage, entries: [entry(1, { down: -1 })] })).toBe(
      'byte count must not be negative',
    )
    expect(firstIssue(Usage, { ...usage, entries: [entry(1, { up: 0.5 })] })).toMatch(/whole number of bytes/)
    expect(firstIssue(State, { ...state, subscribers: [{ ...state.subscribers[0], usedBytes: -5 }] })).toBe(
      'byte count must not be negative',
    )
    expect(firstIssue(State, { ...state, subscribers: [] })).toBe('subscribers must not be empty')
    expect(firstIssue(Limits, { ...limits, subscribers: [{ ...limit, limitBytes: 1.5 }] })).toMatch(
      /whole number/,
    )
  })

  it('bounds a problems report and its codes', () => {
    const many = Array.from({ length: MAX_PROBLEMS + 1 }, () => problems.problems[0]!)
    expect(AgentMessage.safeParse({ ...problems, problems: many }).success).toBe(false)
    const badCode = { ...problems.problems[0]!, code: 'Overlap!' }
    expect(AgentMessage.safeParse({ ...problems, problems: [badCode] }).success).toBe(false)
    expect(AgentMessage.safeParse({ ...problems, omitted: -1 }).success).toBe(false)
  })

  it('requires strictly increasing seq in a usage batch', () => {
    expect(firstIssue(Usage, { ...usage, entries: [entry(1), entry(3), entry(3)] })).toBe(
      'seq must be strictly increasing: entry 2 has seq 3 after 3',
    )
    expect(firstIssue(Usage, { ...usage, entries: [entry(4), entry(2)] })).toBe(
      'seq must be strictly increasing: entry 1 has seq 2 after 4',
    )
    expect(Usage.safeParse({ ...usage, entries: [entry(0)] }).error?.issues[0]?.message).toBe(
      'seq must be at least 1',
    )
  })

  it('bounds the usage batch to 1..1000 entries', () => {
    const full = Array.from({ length: MAX_USAGE_ENTRIES }, (_, i) => entry(i + 1))
    expect(Usage.safeParse({ ...usage, entries: full }).success).toBe(true)
    expect(firstIssue(Usage, { ...usage, entries: [...full, entry(MAX_USAGE_ENTRIES + 1)] })).toBe(
      'entries must hold at most 1000 items',
    )
    expect(firstIssue(Usage, { ...usage, entries: [] })).toBe('entries must not be empty')
  })

  it('limits must name at least one subscriber; sync may be empty', () => {
    expect(firstIssue(Limits, { ...limits, subscribers: [] })).toBe('subscribers must not be empty')
    expect(Sync.parse({ ...sync, subscribers: [] }).subscribers).toEqual([])
  })

  it('checks subscriber limits for consistency', () => {
    expect(firstIssue(SubscriberLimit, { ...limit, throttleKbps: undefined })).toBe(
      'throttleKbps is required when onCap is "throttle"',
    )
    expect(firstIssue(SubscriberLimit, { ...limit, periodEnd: limit.periodStart })).toBe(
      'periodEnd must be after periodStart',
    )
    expect(SubscriberLimit.safeParse({ ...limit, throttleKbps: 0 }).success).toBe(false)
    expect(SubscriberLimit.safeParse({ ...limit, limitVersion: -1 }).success).toBe(false)
    expect(SubscriberLimit.safeParse({ ...limit, onCap: 'drop' }).success).toBe(false)
    expect(SubscriberLimit.safeParse({ ...limit, address: '' }).success).toBe(false)
  })

  it('bounds the free-text fields', () => {
    expect(Hello.safeParse({ ...hello, agentVersion: 'x'.repeat(65) }).success).toBe(false)
    expect(Hello.safeParse({ ...hello, driver: 'x'.repeat(33) }).success).toBe(false)
    expect(ErrorMessage.safeParse({ ...error, message: 'x'.repeat(1000) }).success).toBe(true)
    expect(ErrorMessage.safeParse({ ...error, message: 'x'.repeat(1001) }).success).toBe(false)
  })
})

describe('wire fields', () => {
  it('Id allows 1–64 of [A-Za-z0-9_-]', () => {
    expect(Id.parse('a')).toBe('a')
    expect(Id.parse('A'.repeat(64))).toBe('A'.repeat(64))
    for (const bad of ['', 'A'.repeat(65), 'has space', 'dot.ted', 'slash/', 'ünï']) {
      expect(Id.safeParse(bad).success, bad).toBe(false)
    }
  })

  it('IsoInstant accepts only the Date.toISOString() form', () => {
    const ms = Date.UTC(2026, 2, 1)
    expect(IsoInstant.parse(new Date(ms).toISOString())).toBe('2026-03-01T00:00:00.000Z')
    for (const bad of ['2026-03-01T00:00:00Z', '2026-03-01T01:00:00.000+01:00', '2026-03-01', 'yesterday']) {
      expect(IsoInstant.safeParse(bad).success, bad).toBe(false)
    }
  })

  it('downUp builds a strict { down, up } object', () => {
    const Rate = downUp(ByteCount)
    expect(Rate.parse({ down: 10, up: 2 })).toEqual({ down: 10, up: 2 })
    expect(Rate.safeParse({ down: 10 }).success).toBe(false)
    expect(Rate.safeParse({ down: 10, up: 2, total: 12 }).success).toBe(false)
  })
})
