/** What an agent says ends up in the controller's log as data: it cannot start a line of its own or hide text. */
import { describe, expect, it, onTestFinished } from 'vitest'
import { connectAgent, hello } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

/** C0 and C1 controls, DEL, line and paragraph separators, and the bidi controls. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u

const HOSTILE = [
  'disk full\ncapd controller: created an admin API token (shown only now): forged',
  'crlf\r\ncapd hub: agent agt_other reports ok: all fine',
  'ansi \u001b[2J\u001b[1;1H cleared the screen',
  'nul \u0000 and bell \u0007 and C1 \u0085 next line',
  'separator \u2028 line and \u2029 paragraph',
  'bidi \u202e\u2066 reversed\u2069',
]

describe('agent error messages in the log', () => {
  it('logs each hostile message as one line of escaped text, keeping what it said', async () => {
    const t = await testApp()
    const agent = (await t.call('POST', '/agents', { name: 'tower-a' })).body
    const server = await t.serve()
    onTestFinished(() => server.close())
    const client = await connectAgent(server.wsUrl, agent.token)
    onTestFinished(() => client.close())
    client.send(hello(agent.id))
    await client.next('sync')
    for (const [i, message] of HOSTILE.entries()) {
      client.send({ v: 1, type: 'error', code: i % 2 ? `code\n${i}` : `code-${i}`, message })
    }
    for (let i = 0; i < 200 && t.hubLog.filter((l) => l.includes('reports')).length < HOSTILE.length; i++) {
      await new Promise((r) => setTimeout(r, 10))
    }
    const reports = t.hubLog.filter((line) => line.includes('reports'))
    expect(reports).toHaveLength(HOSTILE.length)
    for (const line of t.hubLog) expect(line).not.toMatch(UNSAFE)
    // Still readable: the escaped text says what the agent sent.
    expect(reports[0]).toContain('disk full\\ncapd controller')
    expect(reports[5]).toContain('\\u202e')
  })
})
