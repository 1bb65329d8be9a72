/** What an agent says ends up in the controller's log as data: a JSON field, never a line of its own. */
import { describe, expect, it, onTestFinished } from 'vitest'
import { connectAgent, hello } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

const HOSTILE = [
  'disk full\ncapd controller: created an admin API token (shown only now): forged',
  'crlf\r\n{"level":30,"msg":"agent agt_other reports ok"}',
  'ansi \u001b[2J\u001b[1;1H cleared the screen',
  'nul \u0000 and bell \u0007 and C1 \u0085 next line',
  'separator \u2028 line and \u2029 paragraph',
  'bidi \u202e\u2066 reversed\u2069',
  '"},"level":60,"msg":"forged',
]

describe('agent error messages in the log', () => {
  it('logs each hostile message as one JSON line, the agent text only inside its fields', async () => {
    const t = await testApp()
    const agent = (await t.call('POST', '/agents', { name: 'tower-a' })).body
    const server = await t.serve()
    onTestFinished(() => server.close())
    const client = await connectAgent(server.wsUrl, agent.token)
    onTestFinished(() => client.close())
    client.send(hello(agent.id))
    await client.next('sync')
    const codes = HOSTILE.map((_, i) => (i % 2 ? `code\n${i}` : `code-${i}`))
    for (const [i, message] of HOSTILE.entries())
      client.send({ v: 1, type: 'error', code: codes[i], message })
    const reports = () => t.hubLog.map((line) => JSON.parse(line)).filter((r) => 'agentMessage' in r)
    for (let i = 0; i < 200 && reports().length < HOSTILE.length; i++)
      await new Promise((r) => setTimeout(r, 10))

    // Every line written is one whole JSON object (a forged line would not parse or would add lines).
    const records = t.hubLog.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records.every((r) => typeof r === 'object' && r !== null)).toBe(true)
    expect(reports()).toHaveLength(HOSTILE.length)
    for (const [i, r] of reports().entries()) {
      expect(r).toMatchObject({ agentId: agent.id, code: codes[i], agentMessage: HOSTILE[i], level: 40 })
      expect(r.msg).toBe('agent reports an error')
    }
    // The text appears nowhere but in those fields.
    for (const r of records) {
      for (const [key, value] of Object.entries(r)) {
        if (key === 'agentMessage' || key === 'code') continue
        for (const text of HOSTILE) expect(String(value)).not.toContain(text)
      }
    }
  })
})
