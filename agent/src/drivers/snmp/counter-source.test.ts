import { describe, expect, it } from 'vitest'
import { computeDeltas } from '../../usage-engine.js'
import { createSnmpCounterSource } from './counter-source.js'
import { createFixtureSession, type FixtureSession, parseWalk } from './fixtures/fixture-session.js'
import type { SnmpSession } from './session.js'

const IF = '1.3.6.1.2.1.31.1.1.1'
const UPTIME = '1.3.6.1.2.1.1.3.0'
const BOOTS = '1.3.6.1.6.3.10.2.1.2.0'

/** An IF-MIB agent: lo, c0 (ifIndex 3), c1 (ifIndex 4) and a faded-out earlier c1 (ifIndex 2). */
function router(): FixtureSession {
  const rows = [
    [1, 'lo', 500, 500],
    [2, 'c1', 7, 9],
    [3, 'c0', 1_000, 2_000],
    [4, 'c1', 30, 40],
  ] as const
  const lines = [`.${UPTIME} = Timeticks: (100000) 0:16:40.00`, `.${BOOTS} = INTEGER: 3`]
  for (const [index, name] of rows) lines.push(`.${IF}.1.${index} = STRING: "${name}"`)
  for (const [index, , rx] of rows) lines.push(`.${IF}.6.${index} = Counter64: ${rx}`)
  for (const [index, , , tx] of rows) lines.push(`.${IF}.10.${index} = Counter64: ${tx}`)
  for (const [index] of rows) lines.push(`.${IF}.19.${index} = Timeticks: (0) 0:00:00.00`)
  return createFixtureSession(parseWalk(lines.join('\n')))
}

const counter = (value: bigint) => ({ type: 'counter64' as const, value })
const ticks = (value: bigint) => ({ type: 'timeticks' as const, value })

function sourceOn(session: SnmpSession) {
  return createSnmpCounterSource(
    { host: 'r1', version: '2c', community: 'public', table: 'ifName' },
    { openSession: () => session },
  )
}

const NAMES = new Map([
  ['alice', 'c0'],
  ['bob', 'c1'],
  ['ghost', 'c9'],
])

describe('SNMP counter source, ifName table', () => {
  it('reads OUT octets as the download, IN as the upload, and skips names not found', async () => {
    const reading = await sourceOn(router()).readCounters(NAMES)
    expect(reading.samples).toEqual([
      { subscriberId: 'alice', counterId: 'ifName:c0:ifIndex:3:disc:0', down: 2_000n, up: 1_000n },
      // The live c1 is the newer row; the faded-out one (ifIndex 2) is ignored.
      { subscriberId: 'bob', counterId: 'ifName:c1:ifIndex:4:disc:0', down: 40n, up: 30n },
    ])
  })

  it('gives deltas to the usage engine and the same bootId while the agent keeps running', async () => {
    const session = router()
    const source = sourceOn(session)
    const first = await source.readCounters(NAMES)
    session.set(`${IF}.10.3`, counter(2_000n + 5_000_000n))
    session.set(`${IF}.6.3`, counter(1_000n + 70_000n))
    session.set(UPTIME, ticks(100_000n + 1n))
    const second = await source.readCounters(NAMES)
    expect(second.bootId).toBe(first.bootId)
    const baselines = new Map(
      first.samples.map((s) => [s.subscriberId, { ...s, bootId: first.bootId, atMs: first.atMs - 1000 }]),
    )
    const { deltas, anomalies } = computeDeltas(baselines, second, { maxBytesPerMs: 1e9, created: new Map() })
    expect(anomalies).toEqual([])
    expect(deltas.map((d) => [d.subscriberId, d.down, d.up])).toEqual([['alice', 5_000_000n, 70_000n]])
  })

  it('starts a new boot when sysUpTime goes back or snmpEngineBoots changes', async () => {
    const session = router()
    const source = sourceOn(session)
    const first = await source.readCounters(NAMES)
    session.set(UPTIME, ticks(50n))
    const afterRestart = await source.readCounters(NAMES)
    expect(afterRestart.bootId).not.toBe(first.bootId)
    session.set(UPTIME, ticks(150n))
    session.set(BOOTS, { type: 'integer', value: 4n })
    const afterBoots = await source.readCounters(NAMES)
    expect(afterBoots.bootId).not.toBe(afterRestart.bootId)
  })

  it('gives a new counterId when the interface reports a counter discontinuity', async () => {
    const session = router()
    const source = sourceOn(session)
    const before = await source.readCounters(NAMES)
    session.set(`${IF}.19.3`, ticks(99_000n))
    const after = await source.readCounters(NAMES)
    expect(after.samples[0]!.counterId).toBe('ifName:c0:ifIndex:3:disc:99000')
    expect(after.samples[0]!.counterId).not.toBe(before.samples[0]!.counterId)
  })

  it('leaves out a row that changed hands between the walk and the read', async () => {
    const session = router()
    const racing: SnmpSession = {
      ...session,
      async getBulk(oids, maxRepetitions) {
        const answer = await session.getBulk(oids, maxRepetitions)
        session.set(`${IF}.1.3`, { type: 'octets', bytes: new TextEncoder().encode('c7') })
        return answer
      },
    }
    const reading = await sourceOn(racing).readCounters(NAMES)
    expect(reading.samples.map((s) => s.subscriberId)).toEqual(['bob'])
  })

  it('refuses 32-bit counters rather than count with ones that wrap', async () => {
    const session = router()
    session.set(`${IF}.6.3`, { type: 'counter32', value: 1n })
    await expect(sourceOn(session).readCounters(NAMES)).rejects.toThrow(/is counter32, not Counter64/)
  })

  it('works without snmpEngineBoots', async () => {
    const session = router()
    session.set(BOOTS, undefined)
    const reading = await sourceOn(session).readCounters(NAMES)
    expect(reading.bootId).toMatch(/^snmp:boots=\?:up@\d+$/)
  })
})

describe('createSnmpCounterSource options', () => {
  const base = { host: 'r1', table: 'ifName' as const }
  const v3 = {
    ...base,
    version: '3' as const,
    user: 'capd',
    authProtocol: 'sha' as const,
    authKey: 'auth-secret',
    privProtocol: 'aes' as const,
    privKey: 'priv-secret',
  }
  const open = { openSession: () => router() }

  it('are checked up front', () => {
    expect(() => createSnmpCounterSource({ ...base, version: '2c', community: '' }, open)).toThrow(
      /community/,
    )
    expect(() => createSnmpCounterSource({ ...v3, authKey: 'short' }, open)).toThrow(/authKey.*8 characters/)
    expect(() => createSnmpCounterSource({ ...v3, privProtocol: 'des' as never }, open)).toThrow(
      /privProtocol/,
    )
    expect(() => createSnmpCounterSource({ ...v3, engine: 'snmp-native' }, open)).toThrow(/SNMPv1\/v2c only/)
    expect(() => createSnmpCounterSource({ ...v3, table: 'queues' as never }, open)).toThrow(/table must be/)
    expect(() => createSnmpCounterSource({ ...v3, timeoutMs: 0 }, open)).toThrow(/timeoutMs/)
    expect(() => createSnmpCounterSource(v3, open)).not.toThrow()
  })
})
