import { PROTOCOL_VERSION } from '@capd/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { BrowserCaller } from '../testing/browser-caller.js'
import { connectAgent, hello, usage } from '../testing/test-agent.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../testing/test-app.js'

const report = (problems: object[]) => ({ v: PROTOCOL_VERSION, type: 'problems', atMs: 1, problems })

/** One agent with Alice; a connection that has said hello; a way to wait until what was sent is handled. */
async function connected() {
  const t = await testApp()
  const { agent, subscriber: alice } = await t.seed()
  const server = await t.serve()
  onTestFinished(() => server.close())
  let seq = 0
  const greet = async () => {
    const client = await connectAgent(server.wsUrl, agent.token)
    onTestFinished(() => client.close())
    client.send(hello(agent.id, 'epoch-a', seq))
    await client.next('sync')
    return {
      client,
      /** Messages are handled in order: once a later usage batch is acked, everything before it was. */
      settled: async () => {
        client.send(usage('epoch-a', [{ seq: ++seq, subscriberId: alice.id, down: 1 }]))
        await client.next('ack')
      },
    }
  }
  const listed = async () =>
    (await t.call('GET', '/agents')).body.items.find((a: { id: string }) => a.id === agent.id)
  const browser = new BrowserCaller(t.app)
  await browser.post('/login', { username: 'admin', password: TEST_ADMIN_PASSWORD })
  return { ...t, agent, alice, greet, listed, browser }
}

describe('rules an agent skipped at its router', () => {
  it('reach GET /api/v1/agents and the agents page, and the next report replaces them', async () => {
    const t = await connected()
    const { client, settled } = await t.greet()
    expect((await t.listed()).problems).toEqual([])
    const problem = {
      subscriberId: t.alice.id,
      code: 'address_overlap',
      message: `subscriber ${t.alice.id} (10.0.0.0/16) overlaps subscriber sub_old (10.0.0.5), which keeps it`,
    }
    client.send(
      report([problem, { subscriberId: 'sub_gone', code: 'invalid_address', message: 'x is a catch-all' }]),
    )
    await settled()
    expect((await t.listed()).problems).toEqual([
      problem,
      { subscriberId: 'sub_gone', code: 'invalid_address', message: 'x is a catch-all' },
    ])
    expect((await t.call('GET', `/agents/${t.agent.id}`)).body.problems).toHaveLength(2)
    const page = (await t.browser.get('/agents')).html
    expect(page).toContain('Skipped at the router')
    expect(page).toContain(`<a href="/subscribers/${t.alice.id}">Alice</a>`)
    expect(page).toContain('overlaps subscriber sub_old (10.0.0.5), which keeps it')
    expect(page).toContain('sub_gone')

    client.send(report([problem]))
    await settled()
    expect((await t.listed()).problems).toEqual([problem])
    client.send(report([]))
    await settled()
    expect((await t.listed()).problems).toEqual([])
    expect((await t.browser.get('/agents')).html).not.toContain('Skipped at the router')
  })

  it('are forgotten when the agent connects again (it reports them afresh after its sync)', async () => {
    const t = await connected()
    const first = await t.greet()
    first.client.send(report([{ subscriberId: t.alice.id, code: 'invalid_rule', message: 'bad' }]))
    await first.settled()
    expect((await t.listed()).problems).toHaveLength(1)
    first.client.close()
    await first.client.closed
    await t.greet()
    expect((await t.listed()).problems).toEqual([])
  })

  it.each([
    ['a code of the wrong form', { code: 'Bad Code', message: 'm' }],
    ['an empty message', { code: 'invalid_rule', message: '' }],
    ['an extra field', { code: 'invalid_rule', message: 'm', hint: 'x' }],
  ])('are refused whole with %s: the connection closes and nothing is stored', async (_, fields) => {
    const t = await connected()
    const { client } = await t.greet()
    const before = JSON.stringify(t.data.agents)
    client.send(
      report([
        { subscriberId: t.alice.id, code: 'invalid_rule', message: 'fine' },
        { subscriberId: t.alice.id, ...fields },
      ]),
    )
    expect((await client.next('error')).code).toBe('invalid_message')
    await client.closed
    expect(JSON.stringify(t.data.agents)).toBe(before)
  })
})
