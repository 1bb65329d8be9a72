import { describe, expect, it } from 'vitest'
import { agentTakes, heldBackProblems, releaseOf, takesLoginOnly } from './agent-capabilities.js'

describe('agent capabilities', () => {
  it('reads major.minor.patch, ignoring a pre-release or build suffix', () => {
    expect(releaseOf('0.2.0')).toEqual([0, 2, 0])
    expect(releaseOf('1.10.3-rc.1+abc')).toEqual([1, 10, 3])
    expect(releaseOf('test')).toBeUndefined()
    expect(releaseOf('0.2')).toBeUndefined()
    expect(releaseOf('v0.2.0')).toBeUndefined()
  })

  it('an agent takes a limit without an address from 0.2.0 on, numerically', () => {
    for (const old of ['0.1.0', '0.1.9', '0.0.1', 'test', '', 'dev-build'])
      expect(takesLoginOnly(old), old).toBe(false)
    for (const current of ['0.2.0', '0.2.1', '0.10.0', '1.0.0', '0.2.0-rc.1'])
      expect(takesLoginOnly(current), current).toBe(true)
  })

  it('a limit with an address goes to any agent', () => {
    expect(agentTakes('0.1.0', { address: '10.0.0.1' })).toBe(true)
    expect(agentTakes('0.1.0', {})).toBe(false)
    expect(agentTakes('0.2.0', {})).toBe(true)
  })

  it('lists the subscribers without an address of an old agent, none of a current one', () => {
    const subs = [{ id: 'sub_a', address: '10.0.0.1' }, { id: 'sub_b' }, { id: 'sub_c', deletedAtMs: 1 }]
    expect(heldBackProblems({ agentVersion: '0.1.0' }, subs)).toEqual([
      expect.objectContaining({ subscriberId: 'sub_b', code: 'agent_too_old' }),
    ])
    expect(heldBackProblems({ agentVersion: '0.2.0' }, subs)).toEqual([])
    expect(heldBackProblems({}, subs)).toEqual([])
  })
})
