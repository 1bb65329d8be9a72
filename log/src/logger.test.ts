import { describe, expect, it } from 'vitest'
import { memoryLogger } from './logger.js'

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
  it('never writes a secret, wherever it sits in the fields', () => {
    const { logger, lines } = memoryLogger()
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
})
