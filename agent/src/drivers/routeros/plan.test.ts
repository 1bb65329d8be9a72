import { describe, expect, it } from 'vitest'
import type { SubscriberRule } from '../driver.js'
import type { EntryRow, Listing, QueueRow } from './listing.js'
import { adoptedComment, parseOwner } from './names.js'
import { type Change, planChanges, wantedRate } from './plan.js'

const queue = (id: string, fields: Partial<QueueRow> = {}): QueueRow => ({
  id,
  name: `queue${id.slice(1)}`,
  target: '10.9.9.9/32',
  bytes: '0/0',
  maxLimit: '0/0',
  comment: undefined,
  disabled: false,
  dynamic: false,
  ...fields,
})
const ours = (id: string, subscriberId: string, target: string, fields: Partial<QueueRow> = {}) =>
  queue(id, { name: `capd:${subscriberId}`, comment: `capd:${subscriberId}`, target, ...fields })
const entry = (id: string, address: string, comment?: string): EntryRow => ({
  id,
  address,
  comment,
  disabled: false,
})
const listing = (fields: Partial<Listing> = {}): Listing => ({
  queues: [],
  blocked4: [],
  blocked6: [],
  ...fields,
})
const plan = (rules: SubscriberRule[], at: Listing, adoptExistingQueues = false) =>
  planChanges(rules, at, { adoptExistingQueues })
const calls = (changes: Change[]) => changes.map(({ phase, command, args }) => ({ phase, command, args }))

const RULES: SubscriberRule[] = [
  { subscriberId: 'alice', address: '10.0.0.5', state: 'open' },
  { subscriberId: 'bob', address: '10.0.1.0/30', state: 'blocked' },
  { subscriberId: 'carol', address: '2001:db8:5::/64', state: 'throttled', throttleKbps: 2048 },
  { subscriberId: 'dave', address: '2001:db8::7', state: 'blocked' },
]

/** The router once RULES are applied, as RouterOS prints it. */
const APPLIED = listing({
  queues: [
    ours('*1', 'alice', '10.0.0.5/32'),
    ours('*2', 'bob', '10.0.1.0/30'),
    ours('*3', 'carol', '2001:db8:5::/64', { maxLimit: '2048000/2048000' }),
    ours('*4', 'dave', '2001:db8::7/128'),
  ],
  blocked4: [entry('*A', '10.0.1.0/30', 'capd:bob')],
  blocked6: [entry('*B', '2001:db8::7/128', 'capd:dave')],
})

describe('planChanges', () => {
  it('adds a queue per subscriber and a list entry per blocked one, both families', () => {
    const { changes, problems } = plan(RULES, listing())
    expect(problems).toEqual([])
    expect(calls(changes)).toEqual([
      {
        phase: 'add',
        command: '/queue/simple/add',
        args: { name: 'capd:alice', target: '10.0.0.5/32', 'max-limit': '0/0', comment: 'capd:alice' },
      },
      {
        phase: 'add',
        command: '/queue/simple/add',
        args: { name: 'capd:bob', target: '10.0.1.0/30', 'max-limit': '0/0', comment: 'capd:bob' },
      },
      {
        phase: 'add',
        command: '/queue/simple/add',
        args: {
          name: 'capd:carol',
          target: '2001:db8:5::/64',
          'max-limit': '2048000/2048000',
          comment: 'capd:carol',
        },
      },
      {
        phase: 'add',
        command: '/queue/simple/add',
        args: { name: 'capd:dave', target: '2001:db8::7/128', 'max-limit': '0/0', comment: 'capd:dave' },
      },
      {
        phase: 'add',
        command: '/ip/firewall/address-list/add',
        args: { list: 'capd-blocked', address: '10.0.1.0/30', comment: 'capd:bob' },
      },
      {
        phase: 'add',
        command: '/ipv6/firewall/address-list/add',
        args: { list: 'capd-blocked', address: '2001:db8::7', comment: 'capd:dave' },
      },
    ])
  })

  it('changes nothing when the router already matches', () => {
    expect(plan(RULES, APPLIED)).toEqual({ changes: [], problems: [], warnings: [], skipped: [] })
  })

  it('unblocks, throttles and un-throttles with one call each', () => {
    const rules: SubscriberRule[] = [
      { subscriberId: 'alice', address: '10.0.0.5', state: 'throttled', throttleKbps: 512 },
      { subscriberId: 'bob', address: '10.0.1.0/30', state: 'open' },
      { subscriberId: 'carol', address: '2001:db8:5::/64', state: 'open' },
      RULES[3]!,
    ]
    expect(calls(plan(rules, APPLIED).changes)).toEqual([
      { phase: 'set', command: '/queue/simple/set', args: { '.id': '*1', 'max-limit': '512000/512000' } },
      { phase: 'set', command: '/queue/simple/set', args: { '.id': '*3', 'max-limit': '0/0' } },
      { phase: 'remove', command: '/ip/firewall/address-list/remove', args: { '.id': '*A' } },
    ])
  })

  it('removes a departed subscriber completely and touches nobody else', () => {
    const at = listing({
      ...APPLIED,
      queues: [queue('*9', { target: '10.0.1.0/30' }), ...APPLIED.queues],
      blocked4: [entry('*C', '10.7.7.7'), entry('*D', '10.7.7.8', 'capd:'), ...APPLIED.blocked4],
    })
    expect(calls(plan([RULES[0]!, RULES[2]!, RULES[3]!], at).changes)).toEqual([
      { phase: 'remove', command: '/queue/simple/remove', args: { '.id': '*2' } },
      { phase: 'remove', command: '/ip/firewall/address-list/remove', args: { '.id': '*A' } },
    ])
  })

  it('repairs what was edited by hand: renamed, re-targeted, disabled, duplicated', () => {
    const at = listing({
      queues: [
        ours('*1', 'alice', '10.0.0.6/32', { name: 'renamed', disabled: true, maxLimit: '1M/1M' }),
        ours('*5', 'alice', '10.0.0.5/32'),
      ],
      blocked4: [],
      blocked6: [],
    })
    expect(calls(plan([RULES[0]!], at).changes)).toEqual([
      { phase: 'remove', command: '/queue/simple/remove', args: { '.id': '*5' } },
      {
        phase: 'set',
        command: '/queue/simple/set',
        args: { '.id': '*1', name: 'capd:alice', target: '10.0.0.5/32', 'max-limit': '0/0', disabled: 'no' },
      },
    ])
  })

  it('moves a list entry to a new address, and frees an address before another subscriber takes it', () => {
    const at = listing({
      queues: [ours('*1', 'alice', '10.0.0.5/32'), ours('*2', 'bob', '10.0.1.0/30')],
      blocked4: [entry('*A', '10.0.1.0/30', 'capd:bob'), entry('*E', '10.0.0.99', 'capd:alice')],
    })
    const rules: SubscriberRule[] = [
      { subscriberId: 'alice', address: '10.0.0.5', state: 'blocked' },
      { subscriberId: 'erin', address: '10.0.1.0/30', state: 'blocked' },
    ]
    const changes = plan(rules, at).changes
    expect(changes.map((c) => `${c.phase} ${c.what}`)).toEqual([
      'add capd:erin: add queue',
      'remove capd:bob: remove queue',
      'set capd:alice: update capd-blocked entry',
      'add capd:erin: add capd-blocked entry 10.0.1.0/30',
      'remove capd:bob: remove capd-blocked entry 10.0.1.0/30',
    ])
    // Phases run removals first, so erin's entry is added after bob's is gone.
    expect(changes[2]!.args).toEqual({ '.id': '*E', address: '10.0.0.5' })
  })

  it('leaves an address the operator listed in capd-blocked alone: it is blocked already, and theirs', () => {
    const at = listing({ ...APPLIED, blocked4: [entry('*F', '10.0.1.0/30', 'manual block')] })
    expect(plan(RULES, at).changes).toEqual([])
    const open = RULES.map((rule) => (rule.state === 'blocked' ? { ...rule, state: 'open' as const } : rule))
    expect(plan(open, at).changes.map((c) => c.what)).toEqual([
      'capd:dave: remove capd-blocked entry 2001:db8::7/128',
    ])
  })

  it('says so, and changes nothing else, when an IPv6 subscriber is to be blocked without an IPv6 firewall', () => {
    const at = listing({ ...APPLIED, blocked6: undefined })
    const result = plan(RULES, at)
    expect(result.changes).toEqual([])
    expect(result.problems).toEqual([
      'capd:dave: cannot block 2001:db8::7: the router has no IPv6 firewall address list',
    ])
  })

  it('marks the calls that start a counting queue from zero: a new queue, an adopted one reset', () => {
    const foreign = queue('*7', { name: 'customer-7', target: '10.0.0.5/32' })
    const adopting = plan([RULES[0]!, RULES[1]!], listing({ queues: [foreign] }), true)
    expect(adopting.changes.filter((c) => c.zeroes).map((c) => `${c.zeroes} ${c.command}`)).toEqual([
      'alice /queue/simple/reset-counters',
      'bob /queue/simple/add',
    ])
    // Queues already there, updated or not, keep counting.
    const updating = RULES.map((r) => ({ ...r, state: 'open' as const }))
    expect(plan(updating, APPLIED).changes.filter((c) => c.zeroes)).toEqual([])
  })

  it('without adoption: a foreign queue on the same target gets a warning, one named like ours a problem', () => {
    const foreign = queue('*7', { name: 'customer-7', target: '10.0.0.5/32', maxLimit: '10M/50M' })
    const result = plan([RULES[0]!], listing({ queues: [foreign] }))
    expect(result.changes.map((c) => c.what)).toEqual(['capd:alice: add queue'])
    expect(result.warnings).toEqual([expect.stringMatching(/customer-7.*same target.*first of the two/)])

    const clash = plan([RULES[0]!], listing({ queues: [queue('*8', { name: 'capd:alice' })] }))
    expect(clash.changes).toEqual([])
    expect(clash.problems).toEqual([expect.stringMatching(/capd:alice: a queue of that name \(\*8\) exists/)])
  })

  it('adopts a foreign queue on the same target: renamed, its past kept in the comment, counters reset', () => {
    const foreign = queue('*7', {
      name: 'customer-7',
      target: '10.0.0.5/32',
      maxLimit: '10000000/50000000',
      comment: 'Ana, room 4',
    })
    const dynamic = queue('*6', { name: '<pppoe-ana>', target: '10.0.0.5/32', dynamic: true })
    const result = plan([RULES[0]!], listing({ queues: [dynamic, foreign] }), true)
    expect(calls(result.changes)).toEqual([
      {
        phase: 'set',
        command: '/queue/simple/set',
        args: {
          '.id': '*7',
          name: 'capd:alice',
          comment: adoptedComment('alice', {
            name: 'customer-7',
            maxLimit: '10000000/50000000',
            comment: 'Ana, room 4',
          }),
        },
      },
      { phase: 'add', command: '/queue/simple/reset-counters', args: { '.id': '*7' } },
    ])
    expect(result.warnings).toEqual([expect.stringMatching(/<pppoe-ana>.*dynamic/)])
  })

  it('throttles an adopted queue no faster than its own rate, and hands it back as it was', () => {
    const adopted = ours('*7', 'alice', '10.0.0.5/32', {
      maxLimit: '10000000/50000000',
      comment: adoptedComment('alice', { name: 'customer-7', maxLimit: '10000000/50000000', comment: 'Ana' }),
    })
    const throttled = { ...RULES[0]!, state: 'throttled' as const, throttleKbps: 20_000 }
    expect(calls(plan([throttled], listing({ queues: [adopted] })).changes)).toEqual([
      { phase: 'set', command: '/queue/simple/set', args: { '.id': '*7', 'max-limit': '10000000/20000000' } },
    ])
    expect(plan([RULES[0]!], listing({ queues: [adopted] })).changes).toEqual([])
    expect(calls(plan([], listing({ queues: [adopted] })).changes)).toEqual([
      {
        phase: 'set',
        command: '/queue/simple/set',
        args: { '.id': '*7', name: 'customer-7', 'max-limit': '10000000/50000000', comment: 'Ana' },
      },
    ])
    expect(parseOwner(adopted.comment)?.adopted).toMatchObject({ name: 'customer-7' })
  })

  const open = (subscriberId: string, address: string): SubscriberRule => ({
    subscriberId,
    address,
    state: 'open',
  })
  const BAD: Array<[string, SubscriberRule, string, RegExp]> = [
    ['overlapping alice', open('wide', '10.0.0.0/16'), 'address_overlap', /overlaps subscriber alice/],
    ['inside carol', open('inner', '2001:db8:5::9'), 'address_overlap', /overlaps subscriber carol/],
    ['a catch-all', open('all', '0.0.0.0/0'), 'invalid_address', /catch-all/],
    ['an IPv6 catch-all', open('all6', '::/0'), 'invalid_address', /catch-all/],
    ['loopback', open('lo', '127.0.0.1'), 'invalid_address', /loopback/],
    ['link-local', open('ll', 'fe80::1'), 'invalid_address', /link-local/],
    ['host bits', open('hb', '10.0.0.1/24'), 'invalid_address', /host bits/],
    ['a bad id', open('a b', '10.9.0.1'), 'invalid_rule', /must match/],
    [
      'a throttle without a rate',
      { ...open('t', '10.9.0.1'), state: 'throttled' },
      'invalid_rule',
      /throttleKbps/,
    ],
    ['alice twice', open('alice', '10.9.0.1'), 'invalid_rule', /twice/],
  ]

  it.each(BAD)('skips a rule with %s and still enforces everyone else', (_, bad, code, message) => {
    const fresh = plan([...RULES, bad], listing())
    expect(fresh.changes).toEqual(plan(RULES, listing()).changes)
    expect(fresh.skipped).toEqual([
      { subscriberId: bad.subscriberId, code, message: expect.stringMatching(message) },
    ])
    // Applied already: nothing to do, and nothing of the good ones is let go.
    expect(plan([...RULES, bad], APPLIED).changes).toEqual([])
  })

  it('lets go of what a subscriber whose rule is now bad had at the router', () => {
    const result = plan([RULES[0]!, RULES[1]!, RULES[2]!, { ...RULES[3]!, address: 'ff02::1' }], APPLIED)
    expect(result.skipped.map((p) => p.subscriberId)).toEqual(['dave'])
    expect(result.changes.map((c) => c.what)).toEqual(
      plan(RULES.slice(0, 3), APPLIED).changes.map((c) => c.what),
    )
  })

  it('skips every bad rule of a random mix and plans the good ones as if alone', () => {
    for (let round = 0; round < 50; round++) {
      const bad = BAD.map(([, rule]) => rule)
      // Overlaps keep whoever came first, so those come after every good rule.
      const [first, rest] = [
        bad.filter((r) => r.subscriberId !== 'wide' && r.subscriberId !== 'inner'),
        bad.slice(0, 2),
      ]
      const mix = [...[...RULES, ...first].sort(() => Math.random() - 0.5), ...rest]
      const alice = mix.findIndex((r) => r.subscriberId === 'alice')
      if (mix[alice] !== RULES[0]) continue
      const result = plan(mix, APPLIED)
      expect(result.changes).toEqual([])
      expect(result.skipped.map((p) => p.subscriberId).sort()).toEqual(bad.map((r) => r.subscriberId).sort())
    }
  })
})

describe('wantedRate', () => {
  it('is kbps × 1000 bits per second both ways when throttled, the base otherwise', () => {
    const base = { up: 0n, down: 0n }
    expect(
      wantedRate({ subscriberId: 'a', address: '10.0.0.1', state: 'throttled', throttleKbps: 1.5 }, base),
    ).toEqual({
      up: 1500n,
      down: 1500n,
    })
    // RouterOS writes `max-limit` as upload/download from the subscriber's side.
    const twoRates = {
      subscriberId: 'a',
      address: '10.0.0.1',
      state: 'throttled',
      throttleKbps: 2000,
      throttleUpKbps: 500,
    } as const
    expect(wantedRate(twoRates, base)).toEqual({ up: 500_000n, down: 2_000_000n })
    // An adopted queue's own lower rate stays, each direction on its own.
    expect(wantedRate(twoRates, { up: 1_000_000n, down: 1_000_000n })).toEqual({
      up: 500_000n,
      down: 1_000_000n,
    })
    expect(
      wantedRate({ subscriberId: 'a', address: '10.0.0.1', state: 'blocked' }, { up: 5n, down: 6n }),
    ).toEqual({
      up: 5n,
      down: 6n,
    })
  })
})
