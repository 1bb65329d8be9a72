import { describe, expect, it } from 'vitest'
// Each config shown must be one the agent accepts: checked with the agent's own loader.
import { loadAgentConfig } from '../../../agent/src/config.js'
import { hashToken } from '../auth/tokens.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { refusalIn } from '../testing/field-marks.js'
import { catalogTestKit, hasForm } from './catalog-test-kit.js'

const TOKEN = /<p id="agent-token" class="secret">(capda_[^<]+)<\/p>/

/** The agent config shown on an enrolment answer, parsed. */
function configIn(html: string): Record<string, unknown> {
  const code = /<pre class="secret config">\s*<code>([\s\S]*?)<\/code>/.exec(html)?.[1]
  if (code === undefined) throw new Error('no agent config on the page')
  const entities: Record<string, string> = {
    '&quot;': '"',
    '&lt;': '<',
    '&gt;': '>',
    '&#39;': "'",
    '&amp;': '&',
  }
  return JSON.parse(code.replace(/&(quot|lt|gt|#39|amp);/g, (e) => entities[e]!))
}

describe('agents page', () => {
  it('sends a visitor to the login page', async () => {
    const k = await catalogTestKit()
    const page = await new BrowserCaller(k.app).get('/agents')
    expect(page.status).toBe(303)
    expect(page.location).toBe('/login?next=%2Fagents')
  })

  it('lists agents live: status, last seen, version, driver, subscribers', async () => {
    const k = await catalogTestKit()
    const second = (await k.call('POST', '/agents', { name: 'tower-2' })).body
    await k.store.transact(async (tx) => {
      const agent = (await tx.agents.get(k.agent.id))!
      const lastSeenAtMs = k.clock.now() - 5 * 60_000
      await tx.agents.update({ ...agent, agentVersion: '0.4.1', driver: 'nftables', lastSeenAtMs })
    })
    k.connected.add(k.agent.id)
    const { status, html } = await k.browser.get('/agents')
    expect(status).toBe(200)
    expect(html).toContain('<h1>Agents</h1>')
    expect(html).toContain('data-live-source="/events"')
    const table = /<div id="agents" class="table-wrap" data-live[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? ''
    expect(table).toMatch(
      /tower-1<\/td><td><span class="badge online">online<\/span><\/td><td><time [^>]*>5 min ago<\/time><\/td><td>0.4.1<\/td><td>nftables<\/td><td class="num">1<\/td>/,
    )
    expect(table).toMatch(/tower-2<\/td><td><span class="badge offline">offline<\/span><\/td><td>never<\/td>/)
    expect(table).toContain('aria-label="Revoke tower-1"')
    expect(table).toContain(`href="/agents/${second.id}/revoke"`)
    // The enrolment form is outside the live region, so a refresh never wipes what is typed.
    expect(table).not.toContain('Enrol')
    expect(hasForm(html, 'enrol-agent-title')).toBe(true)
  })

  it('lists a subscriber without an address among the problems of an agent too old to take it', async () => {
    const k = await catalogTestKit()
    const pat = (
      await k.call('POST', '/subscribers', {
        name: 'Pat',
        login: 'pat',
        planId: k.plan.id,
        agentId: k.agent.id,
      })
    ).body
    const problems = async () =>
      /<section id="agent-problems"[\s\S]*?<\/section>/.exec((await k.browser.get('/agents')).html)?.[0] ?? ''
    const helloFrom = (agentVersion: string) =>
      k.store.transact(async (tx) => {
        await tx.agents.update({ ...(await tx.agents.get(k.agent.id))!, agentVersion })
      })
    await helloFrom('0.1.0')
    const shown = await problems()
    expect(shown).toContain(`href="/subscribers/${pat.id}">Pat</a>`)
    expect(shown).toContain('agent 0.1.0 cannot take a subscriber without an address')
    await helloFrom('0.2.0')
    expect(await problems()).toBe('')
  })

  it('shows the token once, with a config, and keeps only its hash', async () => {
    const k = await catalogTestKit()
    const reply = await k.browser.post('/agents', { _csrf: k.csrf, name: 'tower-9', idempotencyKey: 'k1' })
    expect(reply.status).toBe(200)
    expect(reply.headers.get('cache-control')).toBe('no-store')
    const token = TOKEN.exec(reply.html)?.[1]
    expect(token).toBeDefined()
    expect(reply.html).toContain('shown only once')
    const agent = Object.values(k.data.agents).find((a) => a.name === 'tower-9')!
    expect(agent.tokenHash).toBe(hashToken(token!))
    expect(token).toContain(agent.id)
    expect(k.snapshot()).not.toContain(token)
    expect(reply.html).toContain('&quot;controller&quot;: &quot;ws://localhost&quot;')
    expect(reply.html).toContain(`&quot;token&quot;: &quot;${token}&quot;`)
    expect(reply.html).toContain('&quot;kind&quot;: &quot;nftables&quot;')
    expect(reply.headers.getSetCookie().join(';')).not.toContain(token!.slice(-20))
    expect(reply.html).toMatch(/tower-9<\/td><td><span class="badge offline">offline/)
    const later = await k.browser.get('/agents')
    expect(later.html).toContain('tower-9')
    expect(later.html).not.toContain(token!)
    expect(later.html).not.toContain('agent-token')
  })

  it.each([
    // Each hint says which Linux capability the agent's unit needs for that config (install.sh's flag).
    [
      'nftables',
      /on the Linux router itself: .*CAP_NET_ADMIN\s+\(install it with <code>install.sh --agent-only --nftables/s,
    ],
    [
      'routeros',
      /drives a MikroTik router through its API: replace each <code>CHANGE-ME<\/code>.* no Linux capability\s+\(<code>install.sh --agent-only<\/code>/s,
    ],
    [
      'snmp',
      /reads counters over SNMP .*nftables on its own machine, so it needs CAP_NET_ADMIN\s+\(install it with <code>install.sh --agent-only --nftables<\/code>\).* Replace each <code>CHANGE-ME<\/code>/s,
    ],
  ] as const)('shows the config for the router chosen (%s), one the agent loads', async (driver, hint) => {
    const k = await catalogTestKit()
    const form = await k.browser.get('/agents')
    expect(form.html).toMatch(new RegExp(`<option value="${driver}"`))
    const reply = await k.browser.post('/agents', {
      _csrf: k.csrf,
      name: `tower-${driver}`,
      driver,
      idempotencyKey: driver,
    })
    expect(reply.status).toBe(200)
    expect(reply.html).toMatch(hint)
    const config = await loadAgentConfig(configIn(reply.html))
    expect(config).toMatchObject({
      controller: 'ws://localhost',
      stateDir: '/var/lib/capd-agent',
      router: { kind: driver },
    })
    expect(config.token).toBe(TOKEN.exec(reply.html)?.[1])
    // localhost: the token never leaves the machine, so no warning.
    expect(reply.html).not.toContain('agent-plain-text')
  })

  it('refuses a router it has no config for, and enrols nobody', async () => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const reply = await k.browser.post('/agents', {
      _csrf: k.csrf,
      name: 'tower-x',
      driver: 'cisco',
      idempotencyKey: 'k1',
    })
    expect(reply.status).toBe(303)
    expect(refusalIn((await k.browser.get('/agents')).html)).toMatch(
      /Router: Choose nftables, RouterOS or SNMP\.$/,
    )
    expect(k.snapshot()).toBe(before)
  })

  it('says plainly that the token would travel unencrypted when the operator came over plain http from the network', async () => {
    const k = await catalogTestKit()
    const overHttp = { headers: { 'x-forwarded-host': 'capd.isp.example' } }
    const plain = await k.browser.post(
      '/agents',
      { _csrf: k.csrf, name: 'tower-a', idempotencyKey: 'a' },
      overHttp,
    )
    expect(configIn(plain.html).controller).toBe('ws://capd.isp.example')
    const notice = /<p id="agent-plain-text"[^>]*>([\s\S]*?)<\/p>/.exec(plain.html)?.[1] ?? ''
    expect(notice).toContain('unencrypted')
    expect(notice).toContain('--tls-cert')
    expect(notice).toContain('TLS and reverse proxies')

    const tls = { headers: { 'x-forwarded-host': 'capd.isp.example', 'x-forwarded-proto': 'https' } }
    const secure = await k.browser.post(
      '/agents',
      { _csrf: k.csrf, name: 'tower-b', idempotencyKey: 'b' },
      tls,
    )
    expect(configIn(secure.html).controller).toBe('wss://capd.isp.example')
    expect(secure.html).not.toContain('agent-plain-text')
    expect(secure.html).toContain(
      '&quot;controllerTls&quot;: { &quot;ca&quot;: &quot;/etc/capd/ca.pem&quot; }',
    )
  })

  it('offers wss:// at an https public URL to an operator on plain http', async () => {
    const k = await catalogTestKit({ publicUrl: 'https://capd.isp.example' })
    const reply = await k.browser.post(
      '/agents',
      { _csrf: k.csrf, name: 'tower-p', idempotencyKey: 'p' },
      { headers: { 'x-forwarded-host': '10.0.0.2:8080' } },
    )
    expect(configIn(reply.html).controller).toBe('wss://capd.isp.example')
    expect(reply.html).not.toContain('agent-plain-text')
  })

  it('enrols once per form: a resent form (a reload of the answer) shows no token and enrols nobody', async () => {
    const k = await catalogTestKit()
    const first = await k.browser.post('/agents', { _csrf: k.csrf, name: 'tower-9', idempotencyKey: 'k1' })
    const token = TOKEN.exec(first.html)![1]!
    const before = Object.keys(k.data.agents).length
    const again = await k.browser.post('/agents', { _csrf: k.csrf, name: 'tower-9', idempotencyKey: 'k1' })
    expect(again.status).toBe(303)
    expect(again.html).not.toContain(token)
    expect(Object.keys(k.data.agents)).toHaveLength(before)
    const next = await k.browser.get('/agents')
    expect(next.html).toContain('its token was shown only then')
    expect(next.html).not.toContain(token)
    const missing = await k.browser.post('/agents', { _csrf: k.csrf, name: 'tower-10' })
    expect(missing.status).toBe(303)
    expect(Object.keys(k.data.agents)).toHaveLength(before)
  })

  it('refuses an empty agent name with a message and changes nothing', async () => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    const reply = await k.browser.post('/agents', { _csrf: k.csrf, name: '  ', idempotencyKey: 'k1' })
    expect(reply.status).toBe(303)
    expect(reply.location).toBe('/agents')
    expect(refusalIn((await k.browser.get('/agents')).html)).toMatch(/: Enter a name for the agent\.$/)
    expect(k.snapshot()).toBe(before)
  })

  it('asks before revoking, saying what it does', async () => {
    const k = await catalogTestKit()
    const page = await k.browser.get(`/agents/${k.agent.id}/revoke`)
    expect(page.status).toBe(200)
    expect(page.html).toContain('Revoke agent &quot;tower-1&quot;?')
    expect(page.html).toContain('Its token stops working at once')
    expect(page.html).toContain(`action="/agents/${k.agent.id}/revoke"`)
    expect(k.data.agents[k.agent.id]!.revokedAtMs).toBeUndefined()
    expect((await k.browser.get('/agents/agt_nope/revoke')).status).toBe(404)
  })

  it('revokes an agent: status revoked, its connection dropped, no revoke button', async () => {
    const k = await catalogTestKit()
    k.connected.add(k.agent.id)
    const { reply, next } = await k.submit(`/agents/${k.agent.id}/revoke`, {})
    expect(reply.location).toBe('/agents')
    expect(k.revoked).toEqual([k.agent.id])
    expect(next?.html).toContain('Agent &quot;tower-1&quot; revoked')
    expect(next?.html).toContain('<span class="badge revoked">revoked</span>')
    expect(next?.html).not.toContain('aria-label="Revoke tower-1"')
    expect(k.data.agents[k.agent.id]!.revokedAtMs).toBe(k.clock.now())
  })

  it('refuses posts without the CSRF field, with a wrong one, or from another site', async () => {
    const k = await catalogTestKit()
    const before = k.snapshot()
    for (const action of ['/agents', `/agents/${k.agent.id}/revoke`]) {
      expect((await k.browser.post(action, { name: 'x' })).status, action).toBe(403)
      expect((await k.browser.post(action, { name: 'x', _csrf: 'forged' })).status, action).toBe(403)
      const crossSite = { headers: { origin: 'https://evil.example' } }
      expect((await k.browser.post(action, { name: 'x', _csrf: k.csrf }, crossSite)).status, action).toBe(403)
    }
    expect(k.snapshot()).toBe(before)
    expect(k.revoked).toEqual([])
  })
})
