import { describe, expect, it } from 'vitest'
import { LOG_FORMATS, logFormat, memoryLogger } from './logger.js'

/** Random text built from characters that could end or fake a log line. */
function hostileText(seed: number): string {
  const parts = [
    '\n',
    '\r',
    '\u2028',
    '"}',
    '{"level":50,"msg":"forged"}',
    '\\',
    '\u001b[2J',
    'ok',
    ' ',
    '\t',
  ]
  let s = seed
  let out = ''
  for (let i = 0; i < 24; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    out += parts[s % parts.length]
  }
  return out
}

describe('logger', () => {
  it.each(LOG_FORMATS)('never writes a secret, wherever it sits in the fields (%s)', (format) => {
    const { logger, lines } = memoryLogger('debug', format)
    const secret = 'S3CRET-value'
    logger.info(
      { token: secret, password: secret, authorization: `Bearer ${secret}`, cookie: `sid=${secret}` },
      'top',
    )
    logger.warn({ req: { token: secret, password: secret, authorization: secret, cookie: secret } }, 'nested')
    logger.error({ headers: { authorization: `Bearer ${secret}`, cookie: `sid=${secret}` } }, 'headers')
    logger.child({ component: 'http' }).info({ request: { headers: { authorization: secret } } }, 'child')
    logger.info({ secretKey: secret, stripe: { secretKey: secret, webhookSecret: secret } }, 'provider keys')
    expect(lines).toHaveLength(5)
    for (const line of lines) expect(line).not.toContain(secret)
    expect(lines.join('\n')).toContain('[redacted]')
  })

  it('keeps peer text inside one field of one line, whatever it holds', () => {
    const { logger, lines, records } = memoryLogger()
    const texts = Array.from({ length: 200 }, (_, i) => hostileText(i + 1))
    for (const text of texts) logger.warn({ agentId: 'a1', agentMessage: text }, 'agent reports an error')
    expect(lines).toHaveLength(texts.length)
    const parsed = records()
    parsed.forEach((record, i) => {
      expect(record.agentMessage).toBe(texts[i])
      expect(record.msg).toBe('agent reports an error')
      expect(record.level).toBe(40)
    })
  })

  it('writes readable text in the pretty format: one line a record, peer text escaped inside it', () => {
    const { logger, lines } = memoryLogger('debug', 'pretty')
    const texts = Array.from({ length: 200 }, (_, i) => hostileText(i + 7))
    for (const text of texts) logger.warn({ agentId: 'a1', agentMessage: text }, 'agent reports an error')
    logger.child({ requestId: 'req-42' }).error({ status: 500 }, 'unexpected error')
    expect(lines).toHaveLength(texts.length + 1)
    for (const line of lines) {
      expect(() => JSON.parse(line)).toThrow()
      // No raw control character (a terminal escape, a line break) from a peer reaches the screen.
      const raw = [...line].filter((ch) => ch < ' ' || ch === '\u2028' || ch === '\u2029')
      expect(raw).toEqual([])
    }
    expect(lines[0]).toMatch(/WARN.*agent reports an error/)
    expect(lines.at(-1)).toMatch(/ERROR.*unexpected error.*"requestId":"req-42"/)
  })
})

describe('log format', () => {
  it('is pretty on a terminal and JSON elsewhere, unless CAPD_LOG_FORMAT says which', () => {
    expect(logFormat({}, true)).toBe('pretty')
    expect(logFormat({}, false)).toBe('json')
    expect(logFormat({ CAPD_LOG_FORMAT: '' }, false)).toBe('json')
    for (const terminal of [true, false]) {
      expect(logFormat({ CAPD_LOG_FORMAT: 'json' }, terminal)).toBe('json')
      expect(logFormat({ CAPD_LOG_FORMAT: 'pretty' }, terminal)).toBe('pretty')
    }
    for (const bad of ['JSON', 'text', 'pretty ', 'yes']) {
      expect(() => logFormat({ CAPD_LOG_FORMAT: bad }, true)).toThrow(
        /CAPD_LOG_FORMAT must be json or pretty/,
      )
    }
  })
})
