import { describe, expect, it } from 'vitest'
import { CLOSE, terminalClose } from './close-codes.js'

describe('close codes', () => {
  it('are distinct and valid WebSocket close codes (no reserved 1005/1006/1015)', () => {
    const codes = Object.values(CLOSE)
    expect(new Set(codes).size).toBe(codes.length)
    for (const code of codes) {
      expect([1005, 1006, 1015]).not.toContain(code)
      expect(code >= 1000 && code <= 4999).toBe(true)
    }
  })

  it('only a replaced or revoked connection is terminal', () => {
    const terminal = Object.entries(CLOSE)
      .filter(([, code]) => terminalClose(code) !== undefined)
      .map(([name]) => name)
    expect(terminal.sort()).toEqual(['replaced', 'revoked'])
    for (const code of [1000, 1001, 1006, 1011, 4000, 4003, 4999]) expect(terminalClose(code)).toBeUndefined()
  })
})
