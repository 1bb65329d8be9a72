import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadAgentConfig } from './config.js'

const TOKEN = `capda_agt_abc.${'s'.repeat(43)}`
const base = { controller: 'ws://127.0.0.1:8080', token: TOKEN }
const clients = [{ address: '192.0.2.0/24', secret: 's' }]
const restored = { mode: 'coa', attributes: [{ name: 'Mikrotik-Rate-Limit', value: '10M/20M' }] }

describe('a coa enforcer in the agent config', () => {
  it('defaults to port 3799, MikroTik address list and rate limit, and reads secrets from files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-coa-config-'))
    await writeFile(join(dir, 'coa'), 'coa-secret\n')
    const config = await loadAgentConfig({
      ...base,
      router: {
        kind: 'radius',
        clients,
        enforcer: {
          kind: 'coa',
          nas: [
            { address: '192.0.2.7', secret: pathToFileURL(join(dir, 'coa')).href },
            { address: '192.0.2.0/24', coaAddress: '198.51.100.1', port: 1700, secret: 'x' },
          ],
          restored,
        },
      },
    })
    expect(config.router).toMatchObject({
      enforcer: {
        kind: 'coa',
        nas: [
          { address: '192.0.2.7', port: 3799, secret: 'coa-secret' },
          { address: '192.0.2.0/24', coaAddress: '198.51.100.1', port: 1700, secret: 'x' },
        ],
        blocked: { mode: 'coa', attributes: [{ name: 'Mikrotik-Address-List', value: 'capd-blocked' }] },
        throttled: {
          mode: 'coa',
          attributes: [{ name: 'Mikrotik-Rate-Limit', value: '{throttleUpKbps}k/{throttleKbps}k' }],
        },
        restored,
        timeoutMs: 3000,
      },
    })
  })

  const nas = [{ address: '192.0.2.7', secret: 's' }]
  it.each([
    [{ nas, restored: undefined }, /router.enforcer.restored/],
    [{ nas: [], restored }, /router.enforcer.nas: needs at least one NAS/],
    [{ nas: [{ address: 'nas.example', secret: 's' }], restored }, /router.enforcer.nas.0.address/],
    [{ nas: [{ address: '192.0.2.7', secret: '' }], restored }, /router.enforcer.nas.0.secret/],
    [{ nas: [{ address: '192.0.2.7', secret: 's', port: 0 }], restored }, /router.enforcer.nas.0.port/],
    [{ nas, restored, blocked: { mode: 'kick' } }, /router.enforcer.blocked/],
    [{ nas, restored, blocked: { mode: 'coa', attributes: [] } }, /router.enforcer.blocked.attributes/],
    [
      { nas, restored, throttled: { mode: 'coa', attributes: [{ name: 'Session-Timeout', value: '1' }] } },
      /router.enforcer.throttled.attributes/,
    ],
  ])('refuses %j, naming the field', async (enforcer, message) => {
    await expect(
      loadAgentConfig({
        ...base,
        router: { kind: 'radius', clients, enforcer: { kind: 'coa', ...enforcer } },
      }),
    ).rejects.toThrow(message)
  })

  it('names the NAS whose secret file cannot be read', async () => {
    await expect(
      loadAgentConfig({
        ...base,
        router: {
          kind: 'radius',
          clients,
          enforcer: {
            kind: 'coa',
            nas: [{ address: '192.0.2.7', secret: 'file:///nonexistent/s' }],
            restored,
          },
        },
      }),
    ).rejects.toThrow(/router.enforcer.nas.0.secret: cannot read/)
  })
})
