import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadAgentConfig } from './config.js'

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

  it('reads a file:// token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-config-'))
    await writeFile(join(dir, 'token'), `${TOKEN}\n`)
    const config = await loadAgentConfig({ ...base, token: pathToFileURL(join(dir, 'token')).href })
    expect(config.token).toBe(TOKEN)
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
})
