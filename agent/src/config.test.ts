import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadAgentConfig } from './config.js'
import { TEST_CA_PEM } from './testing-ca.js'

const TOKEN = `capda_agt_abc.${'s'.repeat(43)}`
const base = { controller: 'ws://127.0.0.1:8080', token: TOKEN, router: { kind: 'nftables' } }

describe('agent config', () => {
  it('fills the documented defaults and finds the agent id in the token', async () => {
    const config = await loadAgentConfig(base)
    expect(config).toMatchObject({
      agentId: 'agt_abc',
      stateDir: './agent-state',
      pollIntervalMs: 1000,
      mode: 'enforce',
      router: { kind: 'nftables' },
    })
  })

  it('logs at info unless logLevel says otherwise, and refuses an unknown level', async () => {
    expect((await loadAgentConfig(base)).logLevel).toBe('info')
    expect((await loadAgentConfig({ ...base, logLevel: 'debug' })).logLevel).toBe('debug')
    await expect(loadAgentConfig({ ...base, logLevel: 'loud' })).rejects.toThrow(/logLevel/)
  })

  it('serves metrics only when metricsListen is a HOST:PORT, naming the field when it is not', async () => {
    expect((await loadAgentConfig(base)).metricsListen).toBeUndefined()
    expect((await loadAgentConfig({ ...base, metricsListen: '127.0.0.1:9470' })).metricsListen).toEqual({
      host: '127.0.0.1',
      port: 9470,
    })
    for (const bad of ['9470', '127.0.0.1:70000', 9470]) {
      await expect(loadAgentConfig({ ...base, metricsListen: bad })).rejects.toThrow(/metricsListen/)
    }
  })

  it('reads an nftables BRAS session source, with clear errors for a bad one', async () => {
    const accel = await loadAgentConfig({
      ...base,
      router: { kind: 'nftables', sessions: { kind: 'accel-ppp', port: 2001 } },
    })
    expect(accel.router).toEqual({
      kind: 'nftables',
      sessions: { kind: 'accel-ppp', port: 2001, timeoutMs: 5000 },
    })
    const command = await loadAgentConfig({
      ...base,
      router: { kind: 'nftables', sessions: { kind: 'command', argv: ['/usr/local/bin/list-sessions'] } },
    })
    expect(command.router).toMatchObject({ sessions: { argv: ['/usr/local/bin/list-sessions'] } })
    const bad: Array<[unknown, RegExp]> = [
      [{ kind: 'pppd' }, /router\.sessions\.kind: sessions\.kind must be "accel-ppp" or "command"/],
      [{ kind: 'command', argv: [] }, /router\.sessions\.argv: needs the program to run/],
      [
        { kind: 'command', argv: ['list-sessions'] },
        /router\.sessions\.argv: argv\[0\] must be an absolute path/,
      ],
      [{ kind: 'accel-ppp', port: 0 }, /router\.sessions\.port/],
      [{ kind: 'accel-ppp', password: 'x' }, /router\.sessions/],
    ]
    for (const [sessions, message] of bad) {
      await expect(loadAgentConfig({ ...base, router: { kind: 'nftables', sessions } })).rejects.toThrow(
        message,
      )
    }
    // An nftables enforcer behind SNMP or RADIUS has no sessions of its own to read.
    await expect(
      loadAgentConfig({
        ...base,
        router: { kind: 'snmp', host: 'r', enforcer: { kind: 'nftables', sessions: { kind: 'accel-ppp' } } },
      }),
    ).rejects.toThrow(/router\.enforcer/)
  })

  it('reads a file:// token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-config-'))
    await writeFile(join(dir, 'token'), `${TOKEN}\n`)
    const config = await loadAgentConfig({ ...base, token: pathToFileURL(join(dir, 'token')).href })
    expect(config.token).toBe(TOKEN)
  })

  it('reads RouterOS and SNMP routers, with their secrets from files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-config-'))
    await writeFile(join(dir, 'pw'), 'hunter2\n')
    const file = pathToFileURL(join(dir, 'pw')).href
    const routeros = await loadAgentConfig({
      ...base,
      router: { kind: 'routeros', host: '192.0.2.1', tls: true, user: 'capd', password: file },
    })
    expect(routeros.router).toMatchObject({ kind: 'routeros', password: 'hunter2', manageFilterRule: true })
    const snmp = await loadAgentConfig({
      ...base,
      router: {
        kind: 'snmp',
        host: '192.0.2.1',
        version: '3',
        user: 'capd',
        authKey: file,
        privKey: 'privpriv',
        enforcer: { kind: 'routeros', host: '192.0.2.1', user: 'capd', password: file },
      },
    })
    expect(snmp.router).toMatchObject({
      kind: 'snmp',
      authKey: 'hunter2',
      namePattern: '<pppoe-{login}>',
      table: 'ifName',
      enforcer: { kind: 'routeros', password: 'hunter2' },
    })
  })

  it.each([
    [
      { ...base, router: { kind: 'snmp', host: 'r', enforcer: { kind: 'nftables' } } },
      /router\.community: is required for SNMP v2c/,
    ],
    [
      {
        ...base,
        router: { kind: 'snmp', host: 'r', version: '3', user: 'u', enforcer: { kind: 'nftables' } },
      },
      /SNMPv3 needs user, authKey and privKey/,
    ],
    [
      { ...base, router: { kind: 'snmp', host: 'r', community: 'c', enforcer: { kind: 'simulated' } } },
      /enforcer/,
    ],
    [
      { ...base, router: { kind: 'routeros', host: 'r', user: 'u', password: 'file:///nonexistent/pw' } },
      /router\.password: cannot read/,
    ],
  ])('refuses a bad router config %#', async (doc, message) => {
    await expect(loadAgentConfig(doc)).rejects.toThrow(message)
  })

  it.each([
    [{ ...base, controller: 'http://x' }, /controller: must be a ws:\/\/ or wss:\/\/ URL/],
    [{ ...base, pollIntervalMs: 5 }, /pollIntervalMs/],
    [{ ...base, router: { kind: 'cisco' } }, /router(\.kind)?: router\.kind must be/],
    [{ ...base, token: 'capd_admin_token_not_agent' }, /token: not an agent token/],
    [{ ...base, colour: 'red' }, /config: Unrecognized key: "colour"/],
    [{ ...base, mode: 'yolo' }, /mode/],
  ])('refuses %j naming the field', async (doc, message) => {
    await expect(loadAgentConfig(doc)).rejects.toThrow(message)
  })

  it('reads the CA a wss:// controller is pinned to, and has none otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-config-'))
    await writeFile(join(dir, 'ca.pem'), TEST_CA_PEM)
    const wss = { ...base, controller: 'wss://capd.example.net' }
    const pinned = await loadAgentConfig({ ...wss, controllerTls: { ca: join(dir, 'ca.pem') } })
    expect(pinned.controllerCa).toBe(TEST_CA_PEM)
    expect(pinned.controllerTls).toEqual({ ca: join(dir, 'ca.pem') })
    expect((await loadAgentConfig(wss)).controllerCa).toBeUndefined()
  })

  it.each([
    [
      { controller: 'ws://capd.example.net', controllerTls: { ca: '/etc/capd/ca.pem' } },
      /controllerTls: applies to wss:\/\/ only/,
    ],
    [
      { controller: 'wss://capd.example.net', controllerTls: { ca: '/nonexistent/ca.pem' } },
      /controllerTls\.ca: cannot read \/nonexistent\/ca\.pem/,
    ],
    [{ controller: 'wss://capd.example.net', controllerTls: { ca: '' } }, /controllerTls\.ca/],
    [{ controller: 'wss://capd.example.net', controllerTls: {} }, /controllerTls\.ca/],
    [
      { controller: 'wss://capd.example.net', controllerTls: { ca: '/x', verify: false } },
      /controllerTls: Unrecognized key: "verify"/,
    ],
  ])('refuses the controller TLS settings %j naming the field', async (fields, message) => {
    await expect(loadAgentConfig({ ...base, ...fields })).rejects.toThrow(message)
  })

  it('takes several controllers in order, or the one "controller", as controllerUrls', async () => {
    const { controller: _, ...noController } = base
    expect((await loadAgentConfig(base)).controllerUrls).toEqual(['ws://127.0.0.1:8080'])
    const urls = ['wss://a.example.net', 'wss://b.example.net:8443', 'ws://127.0.0.1:8080']
    const several = await loadAgentConfig({ ...noController, controllers: urls })
    expect(several.controllerUrls).toEqual(urls)
    expect(several.controller).toBeUndefined()
  })

  it('pins the one CA for every controller of the list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-config-'))
    await writeFile(join(dir, 'ca.pem'), TEST_CA_PEM)
    const { controller: _, ...noController } = base
    const config = await loadAgentConfig({
      ...noController,
      controllers: ['wss://a.example.net', 'wss://b.example.net'],
      controllerTls: { ca: join(dir, 'ca.pem') },
    })
    expect(config.controllerCa).toBe(TEST_CA_PEM)
  })

  it.each([
    [{ controllers: [] }, /controllers: must list at least one ws:\/\/ or wss:\/\/ URL/],
    [{ controllers: 'wss://a.example.net' }, /controllers: .*expected array/i],
    [
      { controllers: ['wss://a.example.net', 'wss://A.example.net:443/other'] },
      /controllers\.1: is wss:\/\/a\.example\.net again \(as controllers\.0\)/,
    ],
    [
      { controllers: ['wss://a.example.net', 'http://b.example.net', 'wss://c', 'nope'] },
      /controllers\.1: must be a ws:\/\/ or wss:\/\/ URL; controllers\.3: must be a ws:\/\/ or wss:\/\/ URL$/,
    ],
    [{ controllers: ['wss://a.example.net', 7] }, /controllers\.1:/],
    [
      { controller: 'wss://a.example.net', controllers: ['wss://b.example.net'] },
      /controllers: give either "controller" \(one URL\) or "controllers" \(a list\), not both/,
    ],
    [{}, /controller: is required/],
    [
      {
        controllers: ['wss://a.example.net', 'ws://b.example.net'],
        controllerTls: { ca: '/etc/capd/ca.pem' },
      },
      /controllerTls: applies to wss:\/\/ only: ws:\/\/b\.example\.net is a ws:\/\/ URL/,
    ],
  ])('refuses the controllers %j naming the field', async (fields, message) => {
    const { controller: _, ...noController } = base
    await expect(loadAgentConfig({ ...noController, ...fields })).rejects.toThrow(message)
  })

  it('refuses a CA file that holds no certificate, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-config-'))
    await writeFile(join(dir, 'token.txt'), TOKEN)
    await expect(
      loadAgentConfig({
        ...base,
        controller: 'wss://capd.example.net',
        controllerTls: { ca: join(dir, 'token.txt') },
      }),
    ).rejects.toThrow(/controllerTls\.ca: .*token\.txt is not a PEM certificate/)
  })
})
