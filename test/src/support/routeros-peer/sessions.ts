/**
 * PPP and hotspot sessions as RouterOS 7 shows them: `/ppp/active` with a dynamic
 * `<service-login>` interface per session in `/interface` (`rx-byte` from the subscriber, `tx-byte`
 * to it), `/ip/hotspot/active` with `bytes-in` / `bytes-out` per session. A session's rate-limit
 * adds a dynamic simple queue named like its interface at the top of the queue list. Only a login,
 * a logout and traffic change them; through the API they are read-only.
 */
import type { MenuSpec, Table } from './table.js'
import { PeerTrap } from './trap.js'

const readOnly = (path: string, properties: string[], counters: string[] = []): MenuSpec => ({
  path,
  properties: Object.fromEntries(properties.map((name) => [name, {}])),
  counters,
  unique() {
    throw new PeerTrap('failure: this menu is read-only', 1)
  },
})

export const PPP_ACTIVE = readOnly('/ppp/active', [
  'name',
  'service',
  'caller-id',
  'encoding',
  'address',
  'uptime',
  'session-id',
  'radius',
])
export const INTERFACE = readOnly(
  '/interface',
  ['name', 'type', 'mtu', 'rx-byte', 'tx-byte', 'rx-packet', 'tx-packet', 'running', 'dynamic', 'disabled'],
  ['rx-byte', 'tx-byte', 'rx-packet', 'tx-packet'],
)
export const HOTSPOT_ACTIVE = readOnly(
  '/ip/hotspot/active',
  ['server', 'user', 'address', 'mac-address', 'login-by', 'uptime', 'bytes-in', 'bytes-out', 'radius'],
  ['bytes-in', 'bytes-out'],
)

export interface SessionTables {
  ppp: Table
  interfaces: Table
  hotspot: Table
  queues: Table
}

export interface LoginOptions {
  /** PPP service: `pppoe` (default), `l2tp`, `sstp`, … */
  service?: string
  /** The profile's rate-limit (`up/down`): the session gets a dynamic queue above every other. */
  rateLimit?: string
}

/** Logins, logouts and traffic of sessions; each session's uptime counts from its login. */
export class Sessions {
  readonly #startedAt = new Map<string, number>()
  /** Each PPP session's interface name, by the session's `.id`. */
  readonly #interfaceOf = new Map<string, string>()
  #sessionId = 0x81000000

  constructor(readonly tables: SessionTables) {
    for (const name of ['ether1', 'ether2']) {
      tables.interfaces.insertDynamic({
        name,
        type: 'ether',
        mtu: '1500',
        'rx-byte': '0',
        'tx-byte': '0',
        'rx-packet': '0',
        'tx-packet': '0',
        running: 'true',
        dynamic: 'false',
        disabled: 'false',
      })
    }
  }

  pppLogin(login: string, address: string, { service = 'pppoe', rateLimit }: LoginOptions = {}): void {
    // A second session of one login (profile only-one=no) gets `<pppoe-ana-1>`, as RouterOS names it.
    const taken = this.tables.interfaces.items.map((item) => item.name)
    let iface = `<${service}-${login}>`
    for (let n = 1; taken.includes(iface); n++) iface = `<${service}-${login}-${n}>`
    const id = this.#insert(this.tables.ppp, {
      name: login,
      service,
      'caller-id': '02:00:00:00:00:01',
      encoding: '',
      address,
      uptime: '0s',
      'session-id': `0x${(this.#sessionId++).toString(16).toUpperCase()}`,
      radius: 'false',
    })
    this.#startedAt.set(`ppp${id}`, Date.now())
    this.#interfaceOf.set(id, iface)
    this.#insert(this.tables.interfaces, {
      name: iface,
      type: `${service}-in`,
      mtu: '1480',
      'rx-byte': '0',
      'tx-byte': '0',
      'rx-packet': '0',
      'tx-packet': '0',
      running: 'true',
      dynamic: 'true',
      disabled: 'false',
    })
    if (rateLimit) {
      this.#insert(
        this.tables.queues,
        { name: iface, target: iface, 'max-limit': rateLimit, dynamic: 'true', bytes: '0/0' },
        0,
      )
    }
  }

  /** Ends the login's latest PPP session. */
  pppLogout(login: string): void {
    const session = this.tables.ppp.items.findLast((item) => item.name === login)
    if (!session) throw new Error(`peer: ${login} has no PPP session`)
    const iface = this.#interfaceOf.get(session['.id']!)
    this.tables.ppp.remove(session['.id']!)
    this.#startedAt.delete(`ppp${session['.id']}`)
    this.tables.interfaces.items = this.tables.interfaces.items.filter((item) => item.name !== iface)
    this.tables.queues.items = this.tables.queues.items.filter((item) => item.name !== iface)
  }

  hotspotLogin(user: string, address: string): void {
    const id = this.#insert(this.tables.hotspot, {
      server: 'hotspot1',
      user,
      address,
      'mac-address': '02:00:00:00:00:02',
      'login-by': 'http-chap',
      uptime: '0s',
      'bytes-in': '0',
      'bytes-out': '0',
      radius: 'false',
    })
    this.#startedAt.set(`hs${id}`, Date.now())
  }

  hotspotLogout(user: string): void {
    const session = this.tables.hotspot.items.find((item) => item.user === user)
    if (!session) throw new Error(`peer: ${user} has no hotspot session`)
    this.tables.hotspot.remove(session['.id']!)
  }

  /** Traffic of `login`'s session(s): `up` from the subscriber, `down` to it (the first session of each kind). */
  addBytes(login: string, up: bigint | number, down: bigint | number): void {
    const ppp = this.#ppp(login)
    const iface =
      ppp && this.tables.interfaces.items.find((item) => item.name === this.#interfaceOf.get(ppp['.id']!))
    if (iface) {
      iface['rx-byte'] = String(BigInt(iface['rx-byte']!) + BigInt(up))
      iface['tx-byte'] = String(BigInt(iface['tx-byte']!) + BigInt(down))
      return
    }
    const hotspot = this.tables.hotspot.items.find((item) => item.user === login)
    if (!hotspot) throw new Error(`peer: ${login} has no session`)
    hotspot['bytes-in'] = String(BigInt(hotspot['bytes-in']!) + BigInt(up))
    hotspot['bytes-out'] = String(BigInt(hotspot['bytes-out']!) + BigInt(down))
  }

  /** Uptimes as of now, before a print. */
  refreshUptimes(format: (ms: number) => string): void {
    for (const [table, prefix] of [
      [this.tables.ppp, 'ppp'],
      [this.tables.hotspot, 'hs'],
    ] as const) {
      for (const item of table.items) {
        const started = this.#startedAt.get(`${prefix}${item['.id']}`)
        if (started !== undefined) item.uptime = format(Date.now() - started)
      }
    }
  }

  /** A reboot ends every session. */
  dropAll(): void {
    for (const item of [...this.tables.ppp.items]) this.pppLogout(item.name!)
    this.tables.hotspot.items = []
    this.#startedAt.clear()
  }

  #ppp(login: string) {
    return this.tables.ppp.items.find((item) => item.name === login)
  }

  /** As the router adds them: past the API's read-only check. */
  #insert(table: Table, values: Record<string, string>, index?: number): string {
    return table.insertDynamic(values, index)
  }
}
