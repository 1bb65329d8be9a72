import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { agentToken } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from './agent.js'
import { loadAgentConfig } from './config.js'
import { createSimulatedDriver } from './drivers/simulated.js'
import { fakeController, type WebSocket } from './testing-fake-controller.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

describe('an agent reaching its controller over ws:// from the network', () => {
  it('warns at start and again on every connection it makes', { timeout: 20_000 }, async () => {
    const sockets: WebSocket[] = []
    const controller = await fakeController((socket) => sockets.push(socket))
    cleanup.push(() => controller.close())
    const stateDir = await mkdtemp(join(tmpdir(), 'capd-agent-'))
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }))
    // 0.0.0.0 is no loopback name, so the agent must warn, yet Linux connects it to this machine.
    const port = new URL(controller.url).port
    const config = await loadAgentConfig({
      controller: `ws://0.0.0.0:${port}`,
      token: agentToken('agt_plaintext0000000000000', 'x'.repeat(43)),
      stateDir,
      pollIntervalMs: 60_000,
      router: { kind: 'simulated' },
    })
    const { logger, records } = memoryLogger()
    const warned = (text: string) =>
      records().filter((r) => r.level === 40 && String(r.msg).includes(text)).length
    const agent = await Agent.start(config, createSimulatedDriver({ bytesPerSecond: 1000 }), { logger })
    cleanup.push(() => agent.stop())
    expect(warned('WARNING: NO TLS: the controller 0.0.0.0')).toBe(1)

    await controller.next('hello')
    await expect.poll(() => warned('WARNING: connected without TLS')).toBe(1)
    sockets[0]!.terminate()
    await controller.next('hello', 1)
    await expect.poll(() => warned('WARNING: connected without TLS')).toBe(2)
    expect(warned('WARNING: NO TLS')).toBe(1)
  })
})
