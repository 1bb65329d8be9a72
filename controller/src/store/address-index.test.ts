import { parseIpPrefix, prefixRange } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { AddressIndex } from './address-index.js'

interface Row {
  id: string
  agentId: string
  /** Absent: known by login (in no overlap check). */
  address?: string
}

const randomPrefix = (): string => {
  if (Math.random() < 0.5) {
    const length = 24 + Math.floor(Math.random() * 9)
    const value = (10 << 24) | Math.floor(Math.random() * 1024)
    const network = length === 32 ? value : value & ~((1 << (32 - length)) - 1)
    return parseIpPrefix(`${[24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.')}/${length}`).text
  }
  const length = 116 + Math.floor(Math.random() * 13)
  const value = BigInt(Math.floor(Math.random() * 4096))
  const hostBits = BigInt(128 - length)
  const network = (value >> hostBits) << hostBits
  return parseIpPrefix(`2001:db8::${network.toString(16)}/${length}`).text
}

const ranges = new Map<string, { family: 4 | 6; start: bigint; end: bigint }>()
const rangeOf = (address: string) => {
  let range = ranges.get(address)
  if (!range) {
    const prefix = parseIpPrefix(address)
    range = { family: prefix.family, ...prefixRange(prefix) }
    ranges.set(address, range)
  }
  return range
}
const overlap = (a: string, b: string) => {
  const ra = rangeOf(a)
  const rb = rangeOf(b)
  return ra.family === rb.family && ra.start <= rb.end && rb.start <= ra.end
}

describe('AddressIndex', () => {
  it('agrees with a brute-force scan through random adds, removes, queries and duplicates', () => {
    const index = new AddressIndex<Row>()
    const rows = new Map<string, Row>()
    for (let step = 0; step < 2000; step++) {
      const roll = Math.random()
      if (roll < 0.4) {
        // Rows may overlap (data written before the check existed): the index still finds them.
        const agentId = Math.random() < 0.8 ? 'a' : 'b'
        const row: Row =
          Math.random() < 0.1
            ? { id: `sub_${step}`, agentId }
            : { id: `sub_${step}`, agentId, address: randomPrefix() }
        rows.set(row.id, row)
        index.add(row)
      } else if (roll < 0.55 && rows.size > 0) {
        const row = [...rows.values()][Math.floor(Math.random() * rows.size)]!
        rows.delete(row.id)
        index.remove(row)
      } else {
        const address = randomPrefix()
        const agentId = Math.random() < 0.8 ? 'a' : 'b'
        const ids = [...rows.keys()]
        const except = Math.random() < 0.3 ? ids[Math.floor(Math.random() * ids.length)] : undefined
        const found = index.overlapping(agentId, parseIpPrefix(address), except)
        const expected = [...rows.values()].filter(
          (r) =>
            r.agentId === agentId &&
            r.id !== except &&
            r.address !== undefined &&
            overlap(r.address, address),
        )
        if (expected.length === 0) expect(found, `${agentId} ${address}`).toBeUndefined()
        else
          expect(
            expected.map((r) => r.id),
            `${agentId} ${address}`,
          ).toContain(found)
      }
    }
  })

  it('leaves out a row without an address, and removing one is harmless', () => {
    const index = new AddressIndex<Row>()
    index.add({ id: 'sub_ppp', agentId: 'a' })
    index.add({ id: 'sub_ip', agentId: 'a', address: '10.0.0.1' })
    expect(index.overlapping('a', parseIpPrefix('0.0.0.0/0'))).toBe('sub_ip')
    expect(index.overlapping('a', parseIpPrefix('0.0.0.0/0'), 'sub_ip')).toBeUndefined()
    expect(index.overlapping('a', parseIpPrefix('::/0'))).toBeUndefined()
    index.remove({ id: 'sub_ppp', agentId: 'a' })
    expect(index.overlapping('a', parseIpPrefix('10.0.0.1'))).toBe('sub_ip')
  })
})
