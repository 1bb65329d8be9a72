import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadAgentConfig } from '../../config.js'

const TOKEN = `capda_agt_abc.${'s'.repeat(43)}`
const base = { controller: 'ws://127.0.0.1:8080', token: TOKEN }

describe('a radius router in the agent config', () => {
  it('listens on 0.0.0.0:1813 by default, reads secrets from files, pairs an optional enforcer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-radius-config-'))
    await writeFile(join(dir, 'secret'), 'nas-secret\n')
    await writeFile(join(dir, 'pw'), 'hunter2\n')
    const config = await loadAgentConfig({
      ...base,
      router: {
        kind: 'radius',
        clients: [
          { address: '192.0.2.7', secret: pathToFileURL(join(dir, 'secret')).href, name: 'bras-1' },
          { address: '10.20.0.0/16', secret: 'inline' },
        ],
        enforcer: {
          kind: 'routeros',
          host: '192.0.2.1',
          user: 'capd',
          password: pathToFileURL(join(dir, 'pw')).href,
        },
      },
    })
    expect(config.router).toMatchObject({
      kind: 'radius',
      listen: { address: '0.0.0.0', port: 1813 },
      clients: [
        { address: '192.0.2.7', secret: 'nas-secret', name: 'bras-1' },
        { address: '10.20.0.0/16', secret: 'inline' },
      ],
      enforcer: { kind: 'routeros', password: 'hunter2' },
    })
    const countOnly = await loadAgentConfig({
      ...base,
      router: {
        kind: 'radius',
        listen: { address: '::1', port: 18130 },
        clients: [{ address: '::1', secret: 's' }],
      },
    })
    expect(countOnly.router).toMatchObject({ listen: { address: '::1', port: 18130 } })
    expect(countOnly.router).not.toHaveProperty('enforcer')
  })

  it.each([
    [{ clients: [] }, /router.clients: needs at least one client/],
    [{ clients: [{ address: '10.0.0.1/8', secret: 's' }] }, /router.clients.0.address/],
    [{ clients: [{ address: 'nas.example', secret: 's' }] }, /router.clients.0.address/],
    [{ clients: [{ address: '10.0.0.1', secret: '' }] }, /router.clients.0.secret/],
    [{ clients: [{ address: '10.0.0.1', secret: 's' }], listen: { port: 70000 } }, /router.listen.port/],
    [
      { clients: [{ address: '10.0.0.1', secret: 's' }], listen: { address: 'any' } },
      /router.listen.address/,
    ],
    [{ clients: [{ address: '10.0.0.1', secret: 's' }], enforcer: { kind: 'snmp' } }, /enforcer.kind/],
    [{ clients: [{ address: '10.0.0.1', secret: 's', port: 1 }] }, /router.clients.0/],
  ])('refuses %j, naming the field', async (router, message) => {
    await expect(loadAgentConfig({ ...base, router: { kind: 'radius', ...router } })).rejects.toThrow(message)
  })

  it('names the client whose secret file cannot be read', async () => {
    await expect(
      loadAgentConfig({
        ...base,
        router: { kind: 'radius', clients: [{ address: '10.0.0.1', secret: 'file:///nonexistent/secret' }] },
      }),
    ).rejects.toThrow(/router.clients.0.secret: cannot read/)
  })
})
