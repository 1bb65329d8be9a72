import { describe, expect, it } from 'vitest'
import { readCapdFile } from './capd-format.js'
import { readCsvTable } from './csv-table.js'
import { detectFormat } from './formats.js'
import type { ImportOptions } from './import-rows.js'
import { parsePlanMap } from './plan-map.js'

const options = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  planMap: new Map(),
  includeInactive: false,
  ...over,
})

describe('readCapdFile', () => {
  it('reads every column, in any order and case; empty cells stay out of the row', () => {
    const text =
      'Name,LOGIN,address,plan,agent,email,phone,billing_day,postal_address,notes\r\n' +
      '"Smith, Alice",alice,10.0.0.5,Home 50,tower-1,a@example.net,+254712345678,last,"1 Main St\r\nNairobi","VIP"\r\n' +
      'Bob,bob,10.0.0.6/31,,,,,15,,\r\n'
    const parsed = readCapdFile(readCsvTable(text), options({ agent: 'tower-2', plan: 'Basic' }))
    expect(parsed.rows).toEqual([
      {
        line: 2,
        login: 'alice',
        name: 'Smith, Alice',
        address: '10.0.0.5',
        plan: 'Home 50',
        agent: 'tower-1',
        email: 'a@example.net',
        phone: '+254712345678',
        billingDay: 'last',
        postalAddress: '1 Main St\nNairobi',
        notes: 'VIP',
      },
      {
        line: 4,
        login: 'bob',
        name: 'Bob',
        address: '10.0.0.6/31',
        plan: 'Basic',
        agent: 'tower-2',
        billingDay: 15,
      },
    ])
  })

  it('an empty address cell leaves the address out of the row (a subscriber known by login)', () => {
    const text = 'login,name,address,plan,agent\npat,Pat,,Basic,tower-1\nsam,Sam,  ,Basic,tower-1\n'
    const parsed = readCapdFile(readCsvTable(text), options())
    expect(parsed.refused).toEqual([])
    expect(parsed.rows).toEqual([
      { line: 2, login: 'pat', name: 'Pat', plan: 'Basic', agent: 'tower-1' },
      { line: 3, login: 'sam', name: 'Sam', plan: 'Basic', agent: 'tower-1' },
    ])
  })

  it('maps plan names with --map-plan, and refuses rows with no plan or agent to take', () => {
    const text =
      'login,name,address,plan,agent\na,A,10.0.0.1,Old Gold,t1\nb,B,10.0.0.2,,t1\nc,C,10.0.0.3,Gold,\n'
    const parsed = readCapdFile(readCsvTable(text), options({ planMap: parsePlanMap(['old gold = Gold 2']) }))
    expect(parsed.rows.map((r) => r.plan)).toEqual(['Gold 2'])
    expect(parsed.refused).toEqual([
      { line: 3, login: 'b', message: 'no plan (give the plan column or --plan)' },
      { line: 4, login: 'c', message: 'no agent (give the agent column or --agent)' },
    ])
  })

  it('refuses a header with unknown or missing columns, naming them', () => {
    expect(() => readCapdFile(readCsvTable('login,name,adress\n'), options())).toThrow(
      /unknown columns "adress"/,
    )
    expect(() => readCapdFile(readCsvTable('login,name\n'), options())).toThrow(/required columns address/)
  })
})

describe('detectFormat', () => {
  it.each([
    ['login,name,address', 'capd'],
    ['Login , Name,ADDRESS,plan,billing_day', 'capd'],
    ['Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,MAC,IPv4,IPv6', 'libreqos'],
    ['ID,Status,Portal login,Full name,Email,Internet plans,IPs', 'splynx'],
    ['id,login,name,status,ipv4', 'splynx'],
    ['login,name,address,extra', undefined],
    ['a,b,c', undefined],
  ])('%s → %s', (header, format) => {
    expect(detectFormat(readCsvTable(`${header}\n`).header)).toBe(format)
  })
})
