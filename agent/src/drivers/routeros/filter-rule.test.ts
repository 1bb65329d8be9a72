import { describe, expect, it } from 'vitest'
import { type FilterRow, planFilterRules } from './filter-rule.js'

const rule = (id: string, fields: Partial<FilterRow>): FilterRow => ({
  id,
  chain: 'forward',
  action: 'accept',
  connectionState: undefined,
  srcAddressList: undefined,
  dstAddressList: undefined,
  jumpTarget: undefined,
  comment: undefined,
  disabled: false,
  ...fields,
})

/** RouterOS 7's default firewall, in brief. */
const DEFAULTS: FilterRow[] = [
  rule('*1', { chain: 'input', connectionState: 'established,related,untracked' }),
  rule('*2', { comment: 'accept ipsec' }),
  rule('*3', { action: 'fasttrack-connection', connectionState: 'established,related' }),
  rule('*4', { connectionState: 'established,related,untracked' }),
  rule('*5', { action: 'drop', connectionState: 'invalid' }),
]
const SRC = rule('*10', { action: 'drop', srcAddressList: 'capd-blocked', comment: 'capd:drop-blocked-src' })
const DST = rule('*11', { action: 'drop', dstAddressList: 'capd-blocked', comment: 'capd:drop-blocked-dst' })
const MENU = '/ip/firewall/filter'
const calls = (rows: FilterRow[], manage = true) =>
  planFilterRules(rows, MENU, manage).changes.map(({ command, args }) => ({ command, args }))

describe('planFilterRules', () => {
  it('adds both drop rules right above the FastTrack rule, and warns about FastTrack', () => {
    const plan = planFilterRules(DEFAULTS, MENU, true)
    expect(plan.changes.map(({ command, args }) => ({ command, args }))).toEqual([
      {
        command: '/ip/firewall/filter/add',
        args: {
          chain: 'forward',
          action: 'drop',
          'src-address-list': 'capd-blocked',
          comment: 'capd:drop-blocked-src',
          'place-before': '*3',
        },
      },
      {
        command: '/ip/firewall/filter/add',
        args: {
          chain: 'forward',
          action: 'drop',
          'dst-address-list': 'capd-blocked',
          comment: 'capd:drop-blocked-dst',
          'place-before': '*3',
        },
      },
    ])
    expect(plan.warnings).toEqual([expect.stringMatching(/rule \*3 .*FastTrack.*skip simple queues/)])
  })

  it('leaves them alone where they are, above the bypass', () => {
    expect(calls([DEFAULTS[0]!, DEFAULTS[1]!, SRC, DST, ...DEFAULTS.slice(2)])).toEqual([])
  })

  it('moves ours back above an established-accept rule, and repairs them', () => {
    const rows = [
      DEFAULTS[1]!,
      DEFAULTS[3]!,
      { ...SRC, disabled: true },
      { ...DST, action: 'accept' },
      { ...DST, id: '*12' },
    ]
    expect(calls(rows)).toEqual([
      { command: '/ip/firewall/filter/set', args: { '.id': '*10', disabled: 'no' } },
      { command: '/ip/firewall/filter/move', args: { numbers: '*10', destination: '*4' } },
      { command: '/ip/firewall/filter/remove', args: { '.id': '*12' } },
      { command: '/ip/firewall/filter/set', args: { '.id': '*11', action: 'drop' } },
      { command: '/ip/firewall/filter/move', args: { numbers: '*11', destination: '*4' } },
    ])
  })

  it('sees a FastTrack rule behind a jump', () => {
    const rows = [
      rule('*1', { action: 'jump', jumpTarget: 'fast' }),
      rule('*2', { chain: 'fast', action: 'fasttrack-connection', connectionState: 'established' }),
      rule('*3', { action: 'jump', jumpTarget: 'loop' }),
      rule('*4', { chain: 'loop', action: 'jump', jumpTarget: 'loop' }),
    ]
    expect(calls(rows).map((c) => c.args['place-before'])).toEqual(['*1', '*1'])
  })

  it('goes to the top of chain forward when nothing bypasses it, or at the end of an empty list', () => {
    const rows = [rule('*1', { chain: 'input' }), rule('*2', { action: 'drop', connectionState: 'invalid' })]
    expect(calls(rows).map((c) => c.args['place-before'])).toEqual(['*2', '*2'])
    expect(calls([]).map((c) => c.args['place-before'])).toEqual([undefined, undefined])
  })

  it("is satisfied by the operator's own drop rules above the bypass", () => {
    const rows = [
      rule('*7', { action: 'drop', srcAddressList: 'capd-blocked' }),
      rule('*8', { action: 'reject', dstAddressList: 'capd-blocked' }),
      ...DEFAULTS,
    ]
    expect(calls(rows)).toEqual([])
  })

  it('with manageFilterRule off: changes nothing, warns about each missing rule', () => {
    const plan = planFilterRules(DEFAULTS, MENU, false)
    expect(plan.changes).toEqual([])
    expect(plan.warnings.filter((line) => /manageFilterRule is off/.test(line))).toHaveLength(2)
    expect(planFilterRules([SRC, DST, ...DEFAULTS], MENU, false).warnings).toHaveLength(1)
  })
})
