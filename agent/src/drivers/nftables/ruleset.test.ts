import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RULES } from './layout.js'
import { parseListing } from './nft-json.js'
import { changeBatch, structureBatch } from './ruleset.js'

const LISTING = readFileSync(new URL('./fixtures/list-table.json', import.meta.url), 'utf8')

describe('structureBatch', () => {
  it('creates the whole table when there is none', () => {
    const script = structureBatch('capd', undefined)
    const lines = script.trim().split('\n')
    expect(lines[0]).toBe('add table inet capd')
    expect(lines).toContain('add set inet capd block6 { type ipv6_addr; flags interval; }')
    expect(lines).toContain('add map inet capd qd4 { type ipv4_addr : quota; flags interval; }')
    expect(lines).toContain('add map inet capd qu6 { type ipv6_addr : quota; flags interval; }')
    expect(lines).toContain(
      'add chain inet capd forward { type filter hook forward priority -10; policy accept; }',
    )
    expect(lines).toContain(
      'add rule inet capd forward counter name ip saddr map @cu4 comment "capd:v2:count-up4"',
    )
    expect(lines.filter((l) => l.startsWith('add rule'))).toHaveLength(RULES.length)
    expect(script).not.toMatch(/flush|delete/)
  })

  it('is empty when the table is complete, so start never touches counters or rules', () => {
    expect(structureBatch('capd', parseListing(LISTING, 'capd'))).toBe('')
  })

  it('rewrites the rules (never the sets) when they are not exactly ours', () => {
    const table = parseListing(LISTING, 'capd')
    table.chain!.ruleComments.pop()
    const lines = structureBatch('capd', table).trim().split('\n')
    expect(lines[0]).toBe('flush chain inet capd forward')
    expect(lines.filter((l) => l.startsWith('add rule'))).toHaveLength(RULES.length)
    expect(lines.some((l) => /^add (set|map) /.test(l))).toBe(false)
  })

  it('upgrades a table of the one-quota-map layout in place: new maps, new rules, old maps gone', () => {
    const v1 = parseListing(
      readFileSync(new URL('./fixtures/list-table-v1.json', import.meta.url), 'utf8'),
      'capd',
    )
    const lines = structureBatch('capd', v1).trim().split('\n')
    const added = lines.filter((l) => l.startsWith('add map')).map((l) => l.split(' ')[4])
    expect(added.sort()).toEqual(['qd4', 'qd6', 'qu4', 'qu6'])
    // The chain stays (same hook and priority); its rules are replaced, and only then the old maps go.
    expect(lines.filter((l) => l.startsWith('delete'))).toEqual([
      'delete map inet capd q4',
      'delete map inet capd q6',
    ])
    const flush = lines.indexOf('flush chain inet capd forward')
    expect(flush).toBeGreaterThan(-1)
    expect(lines.indexOf('delete map inet capd q4')).toBeGreaterThan(flush + RULES.length)
    expect(lines.filter((l) => l.startsWith('add rule'))).toHaveLength(RULES.length)
    // Counters, quotas and limits are objects, not structure: what they counted stays.
    expect(lines.some((l) => /^(add|delete) (counter|quota|limit) /.test(l))).toBe(false)
  })

  it('re-creates a chain hooked at the wrong priority', () => {
    const table = parseListing(LISTING, 'capd')
    table.chain!.prio = 0
    const lines = structureBatch('capd', table).trim().split('\n')
    expect(lines.slice(0, 3)).toEqual([
      'flush chain inet capd forward',
      'delete chain inet capd forward',
      'add chain inet capd forward { type filter hook forward priority -10; policy accept; }',
    ])
  })
})

describe('changeBatch', () => {
  it('orders elements out, objects out, objects in, elements in', () => {
    const script = changeBatch('capd', [
      { op: 'add-element', set: 'cd4', key: '10.0.0.0/30', value: 'cd_n' },
      { op: 'add-counter', name: 'cd_n', subscriberId: 'n' },
      { op: 'delete-object', kind: 'limit', name: 'ld_o' },
      { op: 'add-element', set: 'block4', key: '10.0.0.9', value: '' },
      { op: 'delete-element', set: 'ld4', key: '10.0.1.0/24' },
      { op: 'set-quota', name: 'q_n', subscriberId: 'n', overBytes: 12_345_678_901_234n },
      { op: 'add-limit', name: 'ld_n', subscriberId: 'n', bytesPerSecond: 1000, burstBytes: 131072 },
      { op: 'add-element', set: 'cd4', key: '10.0.0.8', value: 'cd_m' },
      { op: 'flush-set', set: 'cu6', map: true },
    ])
    expect(script).toBe(
      [
        'flush map inet capd cu6',
        'delete element inet capd ld4 { 10.0.1.0/24 }',
        'delete limit inet capd ld_o',
        'add counter inet capd cd_n { comment "capd subscriber n"; }',
        'add quota inet capd q_n { over 12345678901234 bytes; comment "capd subscriber n"; }',
        'add limit inet capd ld_n { rate over 1000 bytes/second burst 131072 bytes; comment "capd subscriber n"; }',
        'add element inet capd cd4 { 10.0.0.0/30 : "cd_n", 10.0.0.8 : "cd_m" }',
        'add element inet capd block4 { 10.0.0.9 }',
        '',
      ].join('\n'),
    )
  })

  it('splits very large element lists into several statements', () => {
    const changes = Array.from({ length: 2500 }, (_, i) => ({
      op: 'delete-element' as const,
      set: 'cd4',
      key: `10.${i >> 8}.${i & 255}.1`,
    }))
    expect(changeBatch('capd', changes).trim().split('\n')).toHaveLength(3)
    expect(changeBatch('capd', [])).toBe('')
  })
})
