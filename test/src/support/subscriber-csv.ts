/**
 * Import files for the end-to-end import tests: a large capd CSV of seeded random subscribers with
 * bad rows of several kinds at random lines, and a ShapedDevices.csv laid out as LibreQoS's own
 * example (comment lines, multi-device circuits, IPv4 lists, IPv6, commas in unquoted comments).
 */
import type { Random } from '@capd/protocol/testing'

export const PLANS = ['Home 20', 'Basic 100 GB', 'Fibre 1 TB'] as const
export const AGENTS = ['tower-1', 'tower-2', 'tower-3'] as const
/** A subscriber made before any import: rows on its address are refused. */
export const LEGACY = { login: 'legacy', address: '10.250.0.0/24', agent: 'tower-1' } as const

const HEADER = ['login', 'name', 'email', 'phone', 'address', 'plan', 'agent', 'billing_day'] as const
type Row = Record<(typeof HEADER)[number], string>

const FIRST = [
  'Wanjiru',
  'Ngũgĩ',
  'Zoë',
  'José',
  "O'Brien",
  '李 Wei',
  'Ömer',
  'Nguyễn Thị',
  'Søren',
  'Chidi 🛰',
]
const LAST = ['Smith, Jr.', '"Big" Otieno', 'Kamau', 'Müller', 'García-López', "D'Souza", 'Ó Súilleabháin']

export interface CapdCsv {
  /** The file with the bad rows. */
  text: string
  /** The lines of the bad rows, ascending. */
  badLines: number[]
  /** The same file without them. */
  goodText: string
  /** The names of the rows in `goodText`. */
  goodNames: string[]
}

/** `rows` rows, `bad` of them refused each for its own reason, at random lines after the first 50. */
export function capdCsv(random: Random, rows: number, bad: number): CapdCsv {
  const pick = <T>(items: readonly T[]): T => items[random.int(0, items.length - 1)]!
  const positions = new Set<number>()
  while (positions.size < bad) positions.add(random.int(50, rows - 1))
  const all: Row[] = []
  const good: Row[] = []
  const badLines: number[] = []
  for (let at = 0; at < rows; at++) {
    if (!positions.has(at)) {
      const row = goodRow(random, pick, good.length)
      good.push(row)
      all.push(row)
      continue
    }
    const earlier = pick(good)
    const kind = BAD_ROWS[badLines.length % BAD_ROWS.length]!
    all.push(kind(goodRow(random, pick, rows + at), earlier))
    badLines.push(at + 2) // the header is line 1
  }
  return { text: csv(all), badLines, goodText: csv(good), goodNames: good.map((row) => row.name) }
}

/** Each makes a row refused for one reason from a good row (its own) and a good row above it. */
const BAD_ROWS: ((row: Row, earlier: Row) => Row)[] = [
  (row) => ({ ...row, address: '10.250.0.17', agent: LEGACY.agent }),
  (row, earlier) => ({ ...row, address: earlier.address, agent: earlier.agent }),
  (row) => ({ ...row, plan: 'Gold 1 TB' }),
  (row) => ({ ...row, email: 'no-at-sign.example.net' }),
  (row, earlier) => ({ ...row, login: earlier.login.toUpperCase() }),
  (row) => ({ ...row, billing_day: '32' }),
  (row) => ({ ...row, billing_day: 'tuesday' }),
  (row) => ({ ...row, agent: 'tower-9' }),
  (row) => ({ ...row, address: '10.1.2.300' }),
  (row) => ({ ...row, address: '2001:db8::g/56' }),
  (row) => ({ ...row, plan: '' }),
]

function goodRow(random: Random, pick: <T>(items: readonly T[]) => T, i: number): Row {
  const login = `c${i.toString(36).padStart(4, '0')}`
  const ipv6 = random.next() < 0.25
  const host = `10.${1 + (i >> 8)}.${i & 255}`
  const address = ipv6
    ? `2001:db8:${i.toString(16)}::${random.next() < 0.5 ? '/56' : '1'}`
    : random.next() < 0.3
      ? `${host}.0/30`
      : `${host}.${random.int(1, 254)}`
  const day = random.int(0, 30)
  return {
    login,
    name: random.next() < 0.1 ? `Shop "${pick(LAST)}", Ltd.` : `${pick(FIRST)} ${pick(LAST)}`,
    email: random.next() < 0.5 ? `${login}@example.net` : '',
    phone: random.next() < 0.3 ? `+254 7${random.int(10, 99)} ${random.int(100_000, 999_999)}` : '',
    address,
    plan: pick(PLANS),
    agent: pick(AGENTS),
    billing_day: day === 0 ? '' : day > 28 ? 'last' : String(day),
  }
}

function csv(rows: readonly Row[]): string {
  const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)
  const lines = [HEADER.join(','), ...rows.map((row) => HEADER.map((c) => cell(row[c])).join(','))]
  return `${lines.join('\r\n')}\r\n`
}

/**
 * A ShapedDevices.csv as LibreQoS writes it (v1.5 layout with the `sqm` column). Imported with
 * `--map-plan 105/18=Home 20 --map-plan 155/20=Basic 100 GB`, no `--plan`: the circuits listed in
 * `refusedLines` are refused, the others become subscribers.
 */
export const SHAPED_DEVICES = {
  text: `# LibreQoS shaped devices, exported from the CRM on 2026-11-30
#
Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm
1,"968 Circle St., Gurnee, IL 60031",1,Device 1,AP_A,,"100.64.0.1, 100.64.0.14",fdd7:b724:0:100::/56,1,1,155,20,Two routers,
2,"31 Marconi Street, Lake In The Hills, IL 60156",2,Device 2,AP_A,,100.64.0.2,fdd7:b724:0:200::/56,1,1,105,18,,fq_codel
3,"255 NW. Newport Ave., Jamestown, NY 14701",3,Device 3,AP_9,,100.64.0.3,fdd7:b724:0:300::/56,25,5,155,20,Standard,
2794,"6 Littleton Drive, Ringgold, GA 30736",5,Device 5,AP_11,,100.64.0.5,fdd7:b724:0:500::/56,1,1,105,18,Standard,
2794,"6 Littleton Drive, Ringgold, GA 30736",6,Device 6,AP_11,,100.64.0.6,fdd7:b724:0:600::/56,1,1,105,18,Standard,
5,"93 Oklahoma Ave., Parsippany, NJ 07054",7,Router,AP_1,,100.64.0.7,fdd7:b724:0:700::/56,2,2,105,18,Down=cake, Up=fq_codel,cake/fq_codel
5,"93 Oklahoma Ave., Parsippany, NJ 07054",8,Phone,AP_1,11:22:33:44:55:66,,,2,2,105,18,,
6,Ngũgĩ wa Thiong'o,9,CPE,AP_1,,100.64.1.0/29,,1,1,105,18,,
7,"IPv6 only, Kisumu",10,CPE,AP_7,,,fdd7:b724:0:a00::/56,1,1,155,20,,
8,"115 Gartner Rd., Gettysburg, PA 17325",11,CPE,AP_7,,,,1,1,105,18,No address yet,
9,"525 Birchpond St., Romulus, MI 48174",12,CPE,Site_1,,10.250.0.9,,1,1,105,18,Old network,
10,Gold customer,13,CPE,Site_1,,100.64.0.13,,50,20,300,60,,
`,
  refusedLines: [4, 7, 13, 14, 15],
  created: ['2', '3', '5', '6', '7'],
}
