/** What the peer's router holds and how commands change it; no sockets here. */
import { ADDRESS_LIST, FILTER, SIMPLE_QUEUE } from './menus.js'
import { matchesQuery } from './query.js'
import { HOTSPOT_ACTIVE, INTERFACE, PPP_ACTIVE, Sessions } from './sessions.js'
import { type Item, Table } from './table.js'
import { PeerTrap } from './trap.js'

export interface CommandResult {
  /** Set for print: the rows to send as `!re` (none → `!empty` on RouterOS ≥ 7.18). */
  rows?: Item[]
  /** `=ret=` on `!done` (`add` returns the new `.id`). */
  ret?: string
}

const PRINT_FLAGS = new Set(['.proplist', 'count-only', 'detail', 'stats', 'without-paging'])

/** RouterOS's uptime format: `1w2d3h4m5s`, zero parts left out. */
export function formatUptime(ms: number): string {
  let seconds = Math.floor(ms / 1000)
  const parts: string[] = []
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    const count = Math.floor(seconds / size)
    seconds -= count * size
    if (count > 0) parts.push(`${count}${unit}`)
  }
  if (seconds > 0 || parts.length === 0) parts.push(`${seconds}s`)
  return parts.join('')
}

export class RouterState {
  readonly queues = new Table(SIMPLE_QUEUE)
  readonly addressLists = new Table(ADDRESS_LIST)
  readonly filters = new Table(FILTER)
  /** PPP and hotspot sessions: logins, logouts and their traffic. */
  readonly sessions = new Sessions({
    ppp: new Table(PPP_ACTIVE),
    interfaces: new Table(INTERFACE),
    hotspot: new Table(HOTSPOT_ACTIVE),
    queues: this.queues,
  })
  identity = 'MikroTik'
  /** RouterOS ≥ 7.18: a print with no rows answers `!empty` before `!done`. False: the older plain `!done`. */
  emptyReplies = true
  bootAtMs = Date.now()
  readonly #tables = new Map<string, Table>([
    [SIMPLE_QUEUE.path, this.queues],
    [ADDRESS_LIST.path, this.addressLists],
    [FILTER.path, this.filters],
    [PPP_ACTIVE.path, this.sessions.tables.ppp],
    [INTERFACE.path, this.sessions.tables.interfaces],
    [HOTSPOT_ACTIVE.path, this.sessions.tables.hotspot],
  ])

  get version(): string {
    return this.emptyReplies ? '7.18.2 (stable)' : '7.16.2 (stable)'
  }

  queue(name: string): Item {
    const item = this.queues.items.find((queue) => queue.name === name)
    if (!item) throw new Error(`peer has no simple queue named ${name}`)
    return item
  }

  /** Sets a queue's `bytes` counter (upload/download, as RouterOS orders them). */
  setBytes(queueName: string, up: bigint | number, down: bigint | number): void {
    this.queue(queueName).bytes = `${BigInt(up)}/${BigInt(down)}`
  }

  addBytes(queueName: string, up: bigint | number, down: bigint | number): void {
    const [oldUp = '0', oldDown = '0'] = this.queue(queueName).bytes!.split('/')
    this.setBytes(queueName, BigInt(oldUp) + BigInt(up), BigInt(oldDown) + BigInt(down))
  }

  /** Counters restart, uptime restarts, `.id`s change. */
  reboot(): void {
    this.bootAtMs = Date.now()
    this.sessions.dropAll()
    for (const table of this.#tables.values()) {
      table.resetCounters()
      table.renumber()
    }
  }

  execute(
    command: string,
    args: Readonly<Record<string, string>>,
    queries: readonly string[],
  ): CommandResult {
    const cut = command.lastIndexOf('/')
    const [path, verb] = [command.slice(0, cut), command.slice(cut + 1)]
    if (path === '/system/resource' && verb === 'print') return this.#print([this.#resource()], args, queries)
    if (path === '/system/identity' && verb === 'print')
      return this.#print([{ name: this.identity }], args, queries)
    if (path === '/system/identity' && verb === 'set') {
      this.#allow(args, ['name'])
      this.identity = args.name ?? this.identity
      return {}
    }
    const table = this.#tables.get(path)
    if (!table) throw new PeerTrap('no such command prefix', 0)
    const numbers = args['.id'] ?? args.numbers
    const props = Object.fromEntries(
      Object.entries(args).filter(([name]) => name !== '.id' && name !== 'numbers'),
    )
    switch (verb) {
      case 'print':
      case 'getall':
        this.sessions.refreshUptimes(formatUptime)
        this.#lapseEntries()
        return this.#print(table.items, args, queries)
      case 'add': {
        const { 'place-before': placeBefore, ...values } = args
        this.#allow(
          values,
          Object.keys(table.spec.properties).filter((name) => table.isSettable(name)),
        )
        if (placeBefore !== undefined && table !== this.filters)
          throw new PeerTrap('unknown parameter place-before', 0)
        const ret = table.add(values, placeBefore)
        if (table === this.addressLists) this.#timeEntries(ret, values.timeout)
        return { ret }
      }
      case 'set':
        this.#allow(
          props,
          Object.keys(table.spec.properties).filter((name) => table.isSettable(name)),
        )
        table.set(this.#need(numbers), props)
        if (table === this.addressLists) this.#timeEntries(this.#need(numbers), props.timeout)
        return {}
      case 'remove':
        this.#allow(props, [])
        table.remove(this.#need(numbers))
        return {}
      case 'move': {
        if (table === this.addressLists) throw new PeerTrap('no such command', 0)
        const { destination, ...rest } = props
        this.#allow(rest, [])
        table.move(this.#need(numbers), destination)
        return {}
      }
      case 'reset-counters':
      case 'reset-counters-all':
        if (table === this.addressLists) throw new PeerTrap('no such command', 0)
        this.#allow(props, [])
        table.resetCounters(verb === 'reset-counters' ? table.resolve(this.#need(numbers)) : table.items)
        return {}
      default:
        throw new PeerTrap('no such command', 0)
    }
  }

  #print(
    items: readonly Item[],
    args: Readonly<Record<string, string>>,
    queries: readonly string[],
  ): CommandResult {
    for (const name of Object.keys(args)) {
      if (!PRINT_FLAGS.has(name)) throw new PeerTrap(`unknown parameter ${name}`, 0)
    }
    const matching = items.filter((item) => matchesQuery(item, queries))
    if (args['count-only'] !== undefined) return { ret: String(matching.length) }
    const proplist = args['.proplist']?.split(',')
    const rows = matching.map((item) =>
      proplist
        ? Object.fromEntries(Object.entries(item).filter(([name]) => proplist.includes(name)))
        : { ...item },
    )
    return { rows }
  }

  /** Address-list entries with a timeout: when each lapses (ms, this clock), by `.id`. */
  readonly #lapseAt = new Map<string, number>()

  #timeEntries(numbers: string, timeout: string | undefined): void {
    if (timeout === undefined) return
    const ms = parseDuration(timeout)
    for (const item of this.addressLists.resolve(numbers)) {
      this.#lapseAt.set(item['.id']!, Date.now() + ms)
      item.dynamic = 'true'
    }
  }

  /** Drops lapsed entries; the others show the time they have left. */
  #lapseEntries(): void {
    const now = Date.now()
    this.addressLists.items = this.addressLists.items.filter((item) => {
      const at = this.#lapseAt.get(item['.id']!)
      if (at === undefined) return true
      if (at <= now) {
        this.#lapseAt.delete(item['.id']!)
        return false
      }
      item.timeout = formatUptime(at - now)
      return true
    })
  }

  /** Lets every timed entry's clock run `ms` ahead (tests of lapsing without waiting). */
  advanceEntries(ms: number): void {
    for (const [id, at] of this.#lapseAt) this.#lapseAt.set(id, at - ms)
  }

  #resource(): Item {
    return {
      uptime: formatUptime(Date.now() - this.bootAtMs),
      version: this.version,
      'build-time': '2025-03-04 12:00:00',
      'free-memory': '912261120',
      'total-memory': '1073741824',
      cpu: 'QEMU',
      'cpu-count': '2',
      'cpu-load': '1',
      'architecture-name': 'x86_64',
      'board-name': 'CHR',
      platform: 'MikroTik',
    }
  }

  #allow(args: Readonly<Record<string, string>>, allowed: readonly string[]): void {
    for (const name of Object.keys(args)) {
      if (!allowed.includes(name)) throw new PeerTrap(`unknown parameter ${name}`, 0)
    }
  }

  #need(numbers: string | undefined): string {
    if (numbers === undefined) throw new PeerTrap('no such item', 0)
    return numbers
  }
}

/** `1h`, `90s`, `1d2h`, `3600` (seconds) as RouterOS takes a duration. */
function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const units: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }
  if (!/^(\d+[wdhms])+$/.test(text)) throw new PeerTrap(`invalid value for argument timeout`, 1)
  let ms = 0
  for (const [, n, unit] of text.matchAll(/(\d+)([wdhms])/g)) ms += Number(n) * units[unit!]!
  return ms
}
