/**
 * The MikroTik simple-queue table through the whole counter source, from a hand-written fixture in
 * `snmpbulkwalk -On` format (no RouterOS router here, and snmpd cannot serve MIKROTIK-MIB).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createSnmpCounterSource, type SnmpCounterSourceOptions } from './counter-source.js'
import { createFixtureSession, parseWalk } from './fixtures/fixture-session.js'

const WALK = parseWalk(
  readFileSync(new URL('./fixtures/mikrotik-simple-queues.walk', import.meta.url), 'utf8'),
)
const OPTIONS: SnmpCounterSourceOptions = {
  host: 'router.example',
  version: '2c',
  community: 'public',
  table: 'mikrotikQueue',
}

function sourceOf(options: Partial<SnmpCounterSourceOptions> = {}) {
  const session = createFixtureSession(WALK)
  const source = createSnmpCounterSource({ ...OPTIONS, ...options } as SnmpCounterSourceOptions, {
    openSession: () => session,
  })
  return { source, session }
}

const NAMES = new Map([
  ['alice', '<pppoe-alice>'],
  ['bob', 'bob'],
  ['carol', 'carol-vip'],
  ['uplink', 'total-uplink'],
  ['erin', '<pppoe-erin>'],
])

describe('MikroTik simple queues', () => {
  it('maps queues by name; BytesOut is the download by default; Counter64 stays exact', async () => {
    const { source } = sourceOf()
    const reading = await source.readCounters(NAMES)
    expect(reading.samples).toEqual([
      {
        subscriberId: 'alice',
        counterId: 'queue:<pppoe-alice>:index:1',
        down: 12_345_678_901_234_567n,
        up: 812_345_678n,
      },
      { subscriberId: 'bob', counterId: 'queue:bob:index:2', down: 3_308_815n, up: 120_440n },
      {
        subscriberId: 'carol',
        counterId: 'queue:carol-vip:index:3',
        down: 918_000_000_000n,
        up: 55_000_000_000n,
      },
      {
        subscriberId: 'uplink',
        counterId: 'queue:total-uplink:index:7',
        down: 2n ** 64n - 1n,
        up: 2n ** 53n + 1n,
      },
    ])
    // A queue that is not there (PPPoE session down) is simply absent.
    expect(reading.samples.find((s) => s.subscriberId === 'erin')).toBeUndefined()
    expect(reading.bootId).toMatch(/^snmp:boots=42:up@/)
  })

  it('swaps the direction when told BytesIn is the download', async () => {
    const { source } = sourceOf({ downloadIs: 'in' })
    const [alice] = (await source.readCounters(new Map([['alice', '<pppoe-alice>']]))).samples
    expect(alice).toMatchObject({ down: 812_345_678n, up: 12_345_678_901_234_567n })
  })

  it('follows a queue to its new index when it is re-created under the same name', async () => {
    const { source, session } = sourceOf()
    const before = await source.readCounters(NAMES)
    const queue = '1.3.6.1.4.1.14988.1.1.2.1.1'
    for (const column of [2, 8, 9]) {
      const old = WALK.find((vb) => vb.oid === `${queue}.${column}.2`)!
      session.set(`${queue}.${column}.2`, undefined)
      session.set(`${queue}.${column}.9`, column === 2 ? old.value : { type: 'counter64', value: 10n })
    }
    const after = await source.readCounters(NAMES)
    const bob = (r: typeof after) => r.samples.find((s) => s.subscriberId === 'bob')!
    expect(bob(before).counterId).toBe('queue:bob:index:2')
    expect(bob(after)).toEqual({ subscriberId: 'bob', counterId: 'queue:bob:index:9', down: 10n, up: 10n })
    expect(after.bootId).toBe(before.bootId)
  })

  it('walks only the name column and reads only the wanted rows', async () => {
    const { source, session } = sourceOf({ maxRepetitions: 2, varbindsPerRequest: 5 })
    await source.readCounters(new Map([['bob', 'bob']]))
    // 5 names at 2 per GetBulk (the third answer leaves the column); 2 scalars + 3 columns of bob.
    expect(session.requests).toEqual({ getBulk: 3, get: 1 })
  })
})
