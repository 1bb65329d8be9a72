import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
// The config must be one the agent accepts: checked with the agent's own loader.
import { loadAgentConfig } from '../../../agent/src/config.js'
import { agentConfigJson, controllerWsUrl } from './agent-config.js'

async function urlFor(url: string, headers: Record<string, string> = {}): Promise<string> {
  const app = new Hono()
  app.get('/agents', (c) => c.text(controllerWsUrl(c)))
  return (await app.request(url, { headers })).text()
}

describe('agent config at enrolment', () => {
  it('points at the controller the browser used, with the agents scheme', async () => {
    expect(await urlFor('http://capd.example:8080/agents')).toBe('ws://capd.example:8080')
    expect(await urlFor('https://capd.example/agents')).toBe('wss://capd.example')
    expect(
      await urlFor('http://127.0.0.1:8080/agents', {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'capd.isp.example',
      }),
    ).toBe('wss://capd.isp.example')
  })

  it('is a config the agent loads, for the agent the token names', async () => {
    const token = 'capda_agt_01abc.c2VjcmV0LXNlY3JldC1zZWNyZXQ'
    const config = await loadAgentConfig(JSON.parse(agentConfigJson('wss://capd.example', token)))
    expect(config).toMatchObject({
      controller: 'wss://capd.example',
      token,
      agentId: 'agt_01abc',
      router: { kind: 'nftables' },
      mode: 'enforce',
    })
  })
})
