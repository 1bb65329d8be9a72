import { describe, expect, it } from 'vitest'
import { readCsvTable } from './csv-table.js'
import type { ImportOptions } from './import-rows.js'
import { parsePlanMap } from './plan-map.js'
import { readSplynxFile } from './splynx-format.js'

/** A Splynx customer list export: BOM, CRLF, quoted commas, the columns Splynx's list shows. */
const EXPORT = [
  '\uFEFFID,Status,Portal login,Full name,Email,Phone number,Street,ZIP code,City,Internet plans,IPs',
  '101,Active,jdoe,"Doe, John",john@example.net,+254712345678,"1 Main St, Apt 2",00100,Nairobi,Home 20Mbps,100.64.1.10',
  '102,Blocked,mkip,Mary Kip,mary@example.net,,,,,Home 20Mbps,100.64.1.11',
  '103,Active,okello,Peter Okello,"p@example.net, peter@example.org","+254 700 000 001, +254700000002",,,,Biz 50,"100.64.1.12, 2001:db8:12::/64"',
  '104,Active,two,Two Plans,,,,,,"Home 20Mbps, Biz 50",100.64.1.13',
  '105,New,fresh,New One,,,,,,Home 20Mbps,100.64.1.14',
  '106,Active,noip,No Address,,,,,,Biz 50,',
  '107,active,noplan,No Plan,,,,,,,100.64.1.16',
  '',
].join('\r\n')

const options = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  agent: 'tower-1',
  planMap: parsePlanMap(['home 20mbps=Home 20']),
  includeInactive: false,
  ...over,
})

describe('readSplynxFile', () => {
  it('imports active customers: login, name, contact, postal address, tariff mapped or by name, one IP', () => {
    const parsed = readSplynxFile(readCsvTable(EXPORT), options())
    expect(parsed.rows).toEqual([
      {
        line: 2,
        login: 'jdoe',
        name: 'Doe, John',
        email: 'john@example.net',
        phone: '+254712345678',
        postalAddress: '1 Main St, Apt 2, 00100 Nairobi',
        address: '100.64.1.10',
        plan: 'Home 20',
        agent: 'tower-1',
      },
      {
        line: 4,
        login: 'okello',
        name: 'Peter Okello',
        email: 'p@example.net',
        phone: '+254 700 000 001',
        address: '100.64.1.12',
        plan: 'Biz 50',
        agent: 'tower-1',
      },
    ])
    expect(parsed.skipped).toEqual([
      { line: 3, login: 'mkip', message: 'status Blocked; --include-inactive imports it' },
      { line: 6, login: 'fresh', message: 'status New; --include-inactive imports it' },
    ])
    expect(parsed.notes).toEqual([
      { line: 4, login: 'okello', message: expect.stringMatching(/^2001:db8:12::\/64 not imported/) },
      {
        line: 4,
        login: 'okello',
        message: 'peter@example.org, +254700000002 not imported: capd keeps one e-mail and one phone',
      },
    ])
    expect(parsed.refused).toEqual([
      {
        line: 5,
        login: 'two',
        message: expect.stringContaining('several internet plans (Home 20Mbps, Biz 50)'),
      },
      { line: 7, login: 'noip', message: 'no IPv4 or IPv6 address' },
      { line: 8, login: 'noplan', message: expect.stringContaining('--plan') },
    ])
  })

  it('--include-inactive imports every status; --plan covers customers without a plan', () => {
    const parsed = readSplynxFile(readCsvTable(EXPORT), options({ includeInactive: true, plan: 'Basic' }))
    expect(parsed.skipped).toEqual([])
    expect(parsed.rows.map((r) => [r.login, r.plan])).toEqual([
      ['jdoe', 'Home 20'],
      ['mkip', 'Home 20'],
      ['okello', 'Biz 50'],
      ['fresh', 'Home 20'],
      ['noplan', 'Basic'],
    ])
  })

  it('reads the API field names too, and says which columns are missing', () => {
    const table = readCsvTable('id,login,name,status,tariff,ipv4\n7,x1,X One,active,Gold,10.2.0.1\n')
    expect(readSplynxFile(table, options()).rows).toEqual([
      { line: 2, login: 'x1', name: 'X One', address: '10.2.0.1', plan: 'Gold', agent: 'tower-1' },
    ])
    expect(() => readSplynxFile(readCsvTable('ID,Portal login,Full name\n'), options())).toThrow(
      /"Status", "IPs" or "IP"/,
    )
  })
})
