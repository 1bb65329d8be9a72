/** One RouterOS menu's items (`*1`, `*2`, … hex ids, order kept), with add/set/remove/move as the API does them. */
import { PeerTrap } from './trap.js'

/** An item as print shows it: `.id` first, then properties in the menu's order. */
export type Item = Record<string, string>

export interface PropertySpec {
  /** Settable by add/set (else read-only, like `bytes`). */
  settable?: boolean
  /** Shown by print when not set. */
  default?: string | (() => string)
  /** RouterOS's canonical form (`10M` → `10000000`); throws PeerTrap for a bad value. */
  normalize?(value: string): string
}

export interface MenuSpec {
  path: string
  /** In print order. */
  properties: Record<string, PropertySpec>
  required?: readonly string[]
  /** Properties zeroed by reset-counters and reboot. */
  counters?: readonly string[]
  /** Throws PeerTrap when `candidate` conflicts with another item. */
  unique?(candidate: Item, others: readonly Item[]): void
  /** `name` given to items added without one: `queue1`, `queue2`, … */
  autoName?: string
}

export function hexId(n: number): string {
  return `*${n.toString(16).toUpperCase()}`
}

export class Table {
  items: Item[] = []
  #nextId = 1

  constructor(readonly spec: MenuSpec) {}

  isSettable(name: string): boolean {
    return this.spec.properties[name]?.settable === true
  }

  add(args: Readonly<Record<string, string>>, placeBefore?: string): string {
    for (const name of this.spec.required ?? []) {
      if (args[name] === undefined) throw new PeerTrap(`failure: ${name} not specified`, 1)
    }
    const values: Record<string, string> = { ...args }
    if (this.spec.autoName && values.name === undefined) {
      let n = 1
      while (this.items.some((item) => item.name === `${this.spec.autoName}${n}`)) n++
      values.name = `${this.spec.autoName}${n}`
    }
    const item = this.#build(hexId(this.#nextId), values, true)
    this.spec.unique?.(item, this.items)
    const index = placeBefore === undefined ? this.items.length : this.items.indexOf(this.#one(placeBefore))
    this.#nextId++
    this.items.splice(index, 0, item)
    return item['.id']!
  }

  /** An item the router itself adds (a session, its interface or queue): no API checks; at `index` or the end. */
  insertDynamic(values: Readonly<Record<string, string>>, index = this.items.length): string {
    const item = this.#build(hexId(this.#nextId++), values, true)
    this.items.splice(index, 0, item)
    return item['.id']!
  }

  set(numbers: string, args: Readonly<Record<string, string>>): void {
    for (const item of this.resolve(numbers)) {
      const updated = this.#build(item['.id']!, { ...item, ...args }, false)
      this.spec.unique?.(
        updated,
        this.items.filter((other) => other !== item),
      )
      this.items[this.items.indexOf(item)] = updated
    }
  }

  remove(numbers: string): void {
    const doomed = new Set(this.resolve(numbers))
    this.items = this.items.filter((item) => !doomed.has(item))
  }

  /** Moves the items before `destination` (or to the end), keeping their relative order. */
  move(numbers: string, destination?: string): void {
    const moving = this.resolve(numbers)
    const target = destination === undefined ? undefined : this.#one(destination)
    const rest = this.items.filter((item) => !moving.includes(item))
    const index = target === undefined || moving.includes(target) ? rest.length : rest.indexOf(target)
    rest.splice(index, 0, ...moving)
    this.items = rest
  }

  resetCounters(items: readonly Item[] = this.items): void {
    for (const item of items) {
      for (const name of this.spec.counters ?? []) {
        item[name] = item[name]?.includes('/') ? '0/0' : '0'
      }
    }
  }

  /** New `.id`s for every item, as a router may hand out after a reboot. */
  renumber(): void {
    this.#nextId += 0x100
    for (const item of this.items) item['.id'] = hexId(this.#nextId++)
  }

  /** `numbers` / `.id`: a comma list of `*hex` ids or, for named items, names. */
  resolve(numbers: string): Item[] {
    return numbers.split(',').map((token) => this.#one(token.trim()))
  }

  #one(token: string): Item {
    const item = this.items.find((candidate) => candidate['.id'] === token || candidate.name === token)
    if (!item) throw new PeerTrap('no such item', 0)
    return item
  }

  #build(id: string, values: Readonly<Record<string, string>>, fresh: boolean): Item {
    const item: Item = { '.id': id }
    for (const [name, spec] of Object.entries(this.spec.properties)) {
      let value = values[name]
      if (value !== undefined && spec.normalize && (fresh || spec.settable)) value = spec.normalize(value)
      if (value === undefined && spec.default !== undefined) {
        value = typeof spec.default === 'string' ? spec.default : spec.default()
      }
      // RouterOS drops an emptied comment rather than showing `comment=`.
      if (value !== undefined && !(name === 'comment' && value === '')) item[name] = value
    }
    return item
  }
}
