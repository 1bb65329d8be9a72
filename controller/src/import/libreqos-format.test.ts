import { describe, expect, it } from 'vitest'
import { readCsvTable } from './csv-table.js'
import type { ImportOptions } from './import-rows.js'
import { readLibreQosFile } from './libreqos-format.js'
import { parsePlanMap } from './plan-map.js'

/** Shaped like LibreQoS's own src/ShapedDevices.example.csv (v1.5): comments, the sqm column, CRLF. */
const SHAPED_DEVICES = [
  '# LibreQoS Shaped Devices Configuration Example',
  '#',
  'Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm',
  '1,"968 Circle St., Gurnee, IL 60031",1,Device 1,AP_A,,"100.64.0.1, 100.64.0.14",fdd7:b724:0:100::/56,1,1,155,20,Standard integer rates,',
  '2,"31 Marconi Street, Lake In The Hills, IL 60156",2,Device 2,AP_A,,100.64.0.2,fdd7:b724:0:200::/56,0.5,0.5,2.5,1.0,Fractional,fq_codel',
  '10,"Directional SQM example",12,Device 12,AP_1,,100.64.0.12,,50,20,200,50,Down=cake, Up=fq_codel,cake/fq_codel',
  '2794,"6 Littleton Drive, Ringgold, GA 30736",5,Device 5,AP_11,,100.64.0.5,,1,1,105,18,Standard integer rates,',
  '2794,"6 Littleton Drive, Ringgold, GA 30736",6,Device 6,AP_11,,,,1,1,105,18,Standard integer rates,',
  '3000,,7,Device 7,AP_11,,,2001:db8:7::/48,1,1,105,18,IPv6 only,',
  ',"No circuit",8,Device 8,AP_11,,100.64.0.8,,1,1,105,18,,',
  '3001,Two devices,9,Device 9,AP_11,,100.64.0.9,,1,1,105,18,,',
  '3001,Two devices,10,Device 10,AP_11,,100.64.0.10,,1,1,105,18,,',
  '',
].join('\r\n')

const options = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  agent: 'tower-1',
  planMap: parsePlanMap(['105/18=Home 100', '2.5/1=Lite']),
  includeInactive: false,
  ...over,
})

describe('readLibreQosFile', () => {
  it('makes one subscriber per circuit: login = Circuit ID, one address, plan by Max rates', () => {
    const parsed = readLibreQosFile(readCsvTable(SHAPED_DEVICES), options({ plan: 'Default' }))
    expect(parsed.rows).toEqual([
      {
        line: 5,
        login: '2',
        name: '31 Marconi Street, Lake In The Hills, IL 60156',
        address: '100.64.0.2',
        plan: 'Lite',
        agent: 'tower-1',
      },
      {
        line: 6,
        login: '10',
        name: 'Directional SQM example',
        address: '100.64.0.12',
        plan: 'Default',
        agent: 'tower-1',
      },
      {
        line: 7,
        login: '2794',
        name: '6 Littleton Drive, Ringgold, GA 30736',
        address: '100.64.0.5',
        plan: 'Home 100',
        agent: 'tower-1',
      },
      // No Circuit Name: the Circuit ID names it. No IPv4: its one IPv6 prefix is taken.
      {
        line: 9,
        login: '3000',
        name: '3000',
        address: '2001:db8:7::/48',
        plan: 'Home 100',
        agent: 'tower-1',
      },
    ])
    expect(parsed.notes).toEqual([
      { line: 5, login: '2', message: expect.stringMatching(/^fdd7:b724:0:200::\/56 not imported/) },
    ])
    expect(parsed.refused).toEqual([
      { line: 10, message: 'Circuit ID is empty; capd needs it as the login' },
      {
        line: 4,
        login: '1',
        message: expect.stringContaining('several IPv4 addresses (100.64.0.1, 100.64.0.14)'),
      },
      {
        line: 11,
        login: '3001',
        message: expect.stringContaining('several IPv4 addresses (100.64.0.9, 100.64.0.10)'),
      },
    ])
  })

  it('refuses a circuit whose rates no --map-plan covers when there is no --plan, naming the rates', () => {
    const parsed = readLibreQosFile(readCsvTable(SHAPED_DEVICES), options())
    expect(parsed.refused).toContainEqual({
      line: 6,
      login: '10',
      message: 'no plan for 200/50 Mbps: give --map-plan "200/50=PLAN" or --plan PLAN',
    })
    expect(parsed.rows.map((r) => r.login)).toEqual(['2', '2794', '3000'])
  })

  it('needs --agent and the columns it reads', () => {
    expect(() => readLibreQosFile(readCsvTable(SHAPED_DEVICES), options({ agent: undefined }))).toThrow(
      /--agent/,
    )
    const table = readCsvTable('Circuit ID,Circuit Name,Device ID,IPv4\n1,a,1,10.0.0.1\n')
    expect(() => readLibreQosFile(table, options())).toThrow(/IPv6, Download Max Mbps, Upload Max Mbps/)
  })
})
