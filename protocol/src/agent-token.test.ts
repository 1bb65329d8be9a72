import { describe, expect, it } from 'vitest'
import { agentIdFromToken, agentToken } from './agent-token.js'

describe('agent tokens', () => {
  it('carry the agent id', () => {
    const token = agentToken('agt_1m882jyjb008x6ng56c0', 'x'.repeat(43))
    expect(token).toBe(`capda_agt_1m882jyjb008x6ng56c0.${'x'.repeat(43)}`)
    expect(agentIdFromToken(token)).toBe('agt_1m882jyjb008x6ng56c0')
  })

  it.each([
    'capd_abc.xxxxxxxxxxxxxxxxxxxxxxxx',
    'capda_agt.short',
    'capda_.xxxxxxxxxxxxxxxxxxxxxxxx',
    'garbage',
  ])('finds no id in %s', (token) => {
    expect(agentIdFromToken(token)).toBeUndefined()
  })
})
