import { describe, expect, it } from 'vitest'
import { createFixtureSession, parseWalk } from './fixtures/fixture-session.js'
import { SnmpError, type SnmpSession } from './session.js'
import type { Varbind } from './varbind.js'
import { getMany, walkColumn } from './walk.js'

const COLUMN = '1.3.6.1.2.1.31.1.1.1.1'
const TABLE = parseWalk(
  [
    '.1.3.6.1.2.1.31.1.1.1.1.1 = STRING: "lo"',
    '.1.3.6.1.2.1.31.1.1.1.1.2 = STRING: "up0"',
    '.1.3.6.1.2.1.31.1.1.1.1.10 = STRING: "c0"',
    '.1.3.6.1.2.1.31.1.1.1.1.11 = STRING: "c1"',
    '.1.3.6.1.2.1.31.1.1.1.2.1 = Counter32: 0',
  ].join('\n'),
)
const names = (rows: Varbind[]) => rows.map((vb) => vb.oid.split('.').at(-1))

describe('walkColumn', () => {
  it('collects the column in OID order (10 after 2) and stops at the next column', async () => {
    const session = createFixtureSession(TABLE)
    expect(names(await walkColumn(session, COLUMN, 3))).toEqual(['1', '2', '10', '11'])
    expect(session.requests.getBulk).toBe(2)
  })

  it('stops at the end of the MIB view', async () => {
    const session = createFixtureSession(TABLE.slice(0, 4))
    expect(names(await walkColumn(session, COLUMN, 100))).toEqual(['1', '2', '10', '11'])
  })

  it('returns nothing for a column the agent does not have', async () => {
    expect(await walkColumn(createFixtureSession(TABLE), '1.3.6.1.4.1.14988.1.1.2.1.1.2', 10)).toEqual([])
  })

  it('refuses an agent that does not move forward, instead of looping for ever', async () => {
    const stuck: SnmpSession = {
      get: async () => [],
      getBulk: async () => [[{ oid: `${COLUMN}.1`, value: { type: 'octets', bytes: new Uint8Array() } }]],
      close() {},
    }
    await expect(walkColumn(stuck, COLUMN, 10)).rejects.toThrow(
      /returned 1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.1\.1 after/,
    )
  })
})

describe('getMany', () => {
  const many = Array.from({ length: 100 }, (_, i) =>
    parseWalk(`.1.3.6.1.2.1.31.1.1.1.6.${i + 1} = Counter64: ${1000 + i}`),
  ).flat()
  const oids = many.map((vb) => vb.oid)

  it('returns values in request order, in bounded parallel requests', async () => {
    const session = createFixtureSession(many)
    const values = await getMany(session, [...oids, '1.3.6.1.2.1.31.1.1.1.6.999'], {
      perRequest: 7,
      concurrency: 4,
    })
    expect(values.slice(0, 100).map((v) => (v.type === 'counter64' ? v.value : v.type))).toEqual(
      oids.map((_, i) => BigInt(1000 + i)),
    )
    expect(values[100]).toEqual({ type: 'noSuchInstance' })
    expect(session.requests.get).toBe(Math.ceil(101 / 7))
    expect(session.maxInFlight).toBe(4)
  })

  it('splits a request the agent answers tooBig', async () => {
    const session = createFixtureSession(many, { maxGetVarbinds: 10 })
    const values = await getMany(session, oids, { perRequest: 48, concurrency: 2 })
    expect(values).toHaveLength(100)
    expect(values.at(-1)).toEqual({ type: 'counter64', value: 1099n })
  })

  it('gives up when even one variable is too big', async () => {
    const session = createFixtureSession(many, { maxGetVarbinds: 0 })
    await expect(
      getMany(session, oids.slice(0, 3), { perRequest: 3, concurrency: 1 }),
    ).rejects.toBeInstanceOf(SnmpError)
  })

  it('refuses an answer for other variables than asked', async () => {
    const liar: SnmpSession = {
      get: async (asked) => asked.map(() => ({ oid: '1.3.6.1.2.1.1.3.0', value: { type: 'noSuchObject' } })),
      getBulk: async () => [],
      close() {},
    }
    await expect(getMany(liar, oids.slice(0, 2), { perRequest: 2, concurrency: 1 })).rejects.toThrow(
      /answered with other variables/,
    )
  })
})
