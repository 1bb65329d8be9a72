import { describe, expect, it } from 'vitest'
import type { AgentMessage, ControllerMessage } from './messages.js'
import { parseAgentMessage, parseControllerMessage } from './parse-message.js'

const hello: AgentMessage = {
  v: 1,
  type: 'hello',
  agentId: 'agent-1',
  epoch: 'ep1',
  lastSeq: 12,
  agentVersion: '0.1.0',
  driver: 'routeros',
}
const ack: ControllerMessage = { v: 1, type: 'ack', epoch: 'ep1', seq: 12 }

describe('parseAgentMessage', () => {
  it('returns the typed message for valid input', () => {
    const result = parseAgentMessage(JSON.stringify(hello))
    expect(result).toEqual({ ok: true, message: hello })
  })

  it.each([
    ['{"v":1,', /^malformed JSON: /],
    ['', /^malformed JSON: /],
    ['[1,2]', /^message must be a JSON object$/],
    ['null', /^message must be a JSON object$/],
    ['"hello"', /^message must be a JSON object$/],
    ['{"type":"hello"}', /^missing protocol version "v" \(expected 1\)$/],
    ['{"v":2,"type":"hello"}', /^unsupported protocol version 2 \(expected 1\)$/],
    ['{"v":"1","type":"hello"}', /^unsupported protocol version "1"/],
    ['{"v":1}', /^missing message type/],
    [
      '{"v":1,"type":"shutdown"}',
      /^unknown agent message type "shutdown" \(expected one of hello, usage, state, problems, synced, error\)$/,
    ],
    ['{"v":1,"type":"ack","epoch":"e","seq":1}', /^"ack" is sent by the controller, not by the agent$/],
  ])('rejects %j', (raw, error) => {
    const result = parseAgentMessage(raw)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(error)
  })

  it('names the bad fields, with paths into arrays', () => {
    const raw = JSON.stringify({
      v: 1,
      type: 'usage',
      epoch: 'ep1',
      entries: [
        { seq: 1, subscriberId: 's', periodStart: '2026-03-01T00:00:00.000Z', down: -1, up: 0, atMs: 1 },
      ],
    })
    expect(parseAgentMessage(raw)).toEqual({
      ok: false,
      error: 'invalid usage message: entries[0].down: byte count must not be negative',
    })
    expect(parseAgentMessage(JSON.stringify({ ...hello, extra: 1 }))).toEqual({
      ok: false,
      error: 'invalid hello message: (message): Unrecognized key: "extra"',
    })
  })

  it('reports only the first few issues of a large bad batch', () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({
      seq: i + 1,
      subscriberId: 's',
      periodStart: '2026-03-01T00:00:00.000Z',
      down: -1,
      up: 0,
      atMs: 1,
    }))
    const result = parseAgentMessage(JSON.stringify({ v: 1, type: 'usage', epoch: 'ep1', entries }))
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.match(/byte count must not be negative/g)).toHaveLength(5)
      expect(result.error).toMatch(/; and 15 more$/)
    }
  })

  it('never throws, even for non-string input', () => {
    expect(parseAgentMessage(Buffer.from('{}') as unknown as string)).toEqual({
      ok: false,
      error: 'message must be JSON text, got object',
    })
  })
})

describe('parseControllerMessage', () => {
  it('returns the typed message for valid input', () => {
    expect(parseControllerMessage(JSON.stringify(ack))).toEqual({ ok: true, message: ack })
  })

  it('rejects agent-only types and unknown types', () => {
    expect(parseControllerMessage(JSON.stringify(hello))).toEqual({
      ok: false,
      error: '"hello" is sent by the agent, not by the controller',
    })
    expect(parseControllerMessage('{"v":1,"type":"reboot"}')).toEqual({
      ok: false,
      error: 'unknown controller message type "reboot" (expected one of sync, ack, limits, error)',
    })
  })

  it('accepts error messages in both directions', () => {
    const error = JSON.stringify({ v: 1, type: 'error', code: 'rate_limited', message: 'slow down' })
    expect(parseControllerMessage(error).ok).toBe(true)
    expect(parseAgentMessage(error).ok).toBe(true)
  })

  it('rejects an ack seq of zero or a fractional seq', () => {
    expect(parseControllerMessage(JSON.stringify({ ...ack, seq: 0 }))).toEqual({
      ok: false,
      error: 'invalid ack message: seq: seq must be at least 1',
    })
    expect(parseControllerMessage(JSON.stringify({ ...ack, seq: 1.5 })).ok).toBe(false)
  })
})
