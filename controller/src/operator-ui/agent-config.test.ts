import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
// The config must be one the agent accepts: checked with the agent's own loader.
import { loadAgentConfig } from '../../../agent/src/config.js'
import {
  AGENT_DRIVERS,
  agentConfigJson,
  controllerWsUrl,
  PLACEHOLDER,
  travelsInClear,
} from './agent-config.js'

async function urlFor(
  url: string,
  headers: Record<string, string> = {},
  publicUrl?: string,
): Promise<string> {
  const app = new Hono()
  app.get('/agents', (c) => c.text(controllerWsUrl(c, publicUrl)))
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

  it('offers wss:// at the public URL when that is https and the browser came over plain http', async () => {
    const publicUrl = 'https://capd.isp.example:8443'
    expect(await urlFor('http://10.0.0.2:8080/agents', {}, publicUrl)).toBe('wss://capd.isp.example:8443')
    // Over https already: the host the operator uses.
    expect(await urlFor('https://capd.lan/agents', {}, publicUrl)).toBe('wss://capd.lan')
    // An http public URL is no reason to leave the host the operator used.
    expect(await urlFor('http://10.0.0.2:8080/agents', {}, 'http://capd.isp.example')).toBe(
      'ws://10.0.0.2:8080',
    )
  })

  it('says when the token would cross the network in clear', () => {
    for (const url of ['ws://10.0.0.2:8080', 'ws://capd.isp.example', 'ws://[2001:db8::2]:8080']) {
      expect(travelsInClear(url), url).toBe(true)
    }
    for (const url of [
      'wss://capd.isp.example',
      'ws://localhost:8080',
      'ws://127.0.0.1:8080',
      'ws://[::1]:8080',
    ]) {
      expect(travelsInClear(url), url).toBe(false)
    }
  })

  it.each(AGENT_DRIVERS)(
    'is a config the agent loads, for the agent the token names (%s)',
    async (driver) => {
      const token = 'capda_agt_01abc.c2VjcmV0LXNlY3JldC1zZWNyZXQ'
      const json = agentConfigJson('wss://capd.example', token, driver)
      const config = await loadAgentConfig(JSON.parse(json))
      expect(config).toMatchObject({
        controller: 'wss://capd.example',
        token,
        agentId: 'agt_01abc',
        stateDir: '/var/lib/capd-agent',
        router: { kind: driver },
        mode: 'enforce',
      })
      // The router's own address and credentials are left for the operator, plainly marked.
      if (driver === 'nftables') expect(json).not.toContain(PLACEHOLDER)
      else expect(config.router).toMatchObject({ host: PLACEHOLDER })
    },
  )
})
