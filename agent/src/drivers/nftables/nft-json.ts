/** Parses `nft -j list table inet <table>` into the state the driver diffs against. */

import { cachedPrefix } from '../prefix-cache.js'
import { CHAIN } from './layout.js'
import { ListingItemSplitter } from './listing-items.js'

export interface InstalledCounter {
  handle: number
  packets: bigint
  bytes: bigint
}

export interface InstalledQuota {
  handle: number
  overBytes: bigint
  /** As the kernel reports it: capped at `overBytes` once depleted, although it keeps counting inside. */
  usedBytes: bigint
}

export interface InstalledLimit {
  handle: number
  bytesPerSecond: number
  burstBytes: number
  /** `rate over …`: the rule matches (and drops) above the rate. */
  over: boolean
}

export interface InstalledChain {
  type: string
  hook: string
  prio: number
  policy: string
  ruleComments: string[]
}

export interface InstalledTable {
  /** Table handles are never reused within a network namespace, so a re-created table gets a new one. */
  handle: number
  counters: Map<string, InstalledCounter>
  quotas: Map<string, InstalledQuota>
  limits: Map<string, InstalledLimit>
  /** Set or map name → element key (canonical prefix text) → value (object name; '' in a plain set). */
  elements: Map<string, Map<string, string>>
  chain: InstalledChain | undefined
}

type Json = Record<string, unknown>

const UNIT: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 ** 2 }

/** nft prints 64-bit counters as bare JSON numbers; quote the big ones before JSON.parse rounds them. */
export function protectBigNumbers(text: string): string {
  return text.replace(/"(packets|bytes|used)":\s*(\d{16,})/g, '"$1": "$2"')
}

export function parseListing(text: string, table: string): InstalledTable {
  const root = JSON.parse(protectBigNumbers(text)) as { nftables?: Json[] }
  const listing = new ListingBuilder(table)
  for (const item of root.nftables ?? []) listing.add(item)
  return listing.table()
}

/**
 * As parseListing, from nft's output while nft still writes it: `push()` each piece as it comes
 * (see ListingItemSplitter), then `end()`. The table is built a run of items at a time meanwhile,
 * with `breathe()` between runs, so a listing of 10k subscribers never holds the event loop for
 * more than a run's parsing (a few ms). nft writes a 10k subscribers' listing over ~200 ms, about
 * as long as the parse takes: parsed after it, the parse was a poll's longest part after nft's
 * own. A parser `abandon()`ed (nft failed) stops with nothing built.
 */
export class ListingParser {
  /** The table, once the listing ended whole; rejects for a listing that is not one. */
  readonly table: Promise<InstalledTable>
  private readonly splitter = new ListingItemSplitter(RUN_BYTES)
  private readonly builder: ListingBuilder
  private runs: string[] = []
  private ended = false
  private abandoned = false
  private fault: unknown
  private wake: (() => void) | undefined

  constructor(table: string, breathe: () => Promise<void>) {
    this.builder = new ListingBuilder(table)
    this.table = this.build(breathe)
    // Whoever ends the listing awaits the table; an abandoned one is nobody's.
    this.table.catch(() => {})
  }

  /** Takes the next piece of nft's output. Never throws: a fault is the table's rejection. */
  push(chunk: Buffer): void {
    if (this.fault !== undefined || this.abandoned) return
    try {
      this.runs.push(...this.splitter.push(chunk))
    } catch (error) {
      this.fault = error
    }
    this.wake?.()
  }

  /** nft's output is all here. */
  end(): void {
    this.ended = true
    this.wake?.()
  }

  /** nft failed: whatever it wrote is dropped. */
  abandon(): void {
    this.abandoned = true
    this.wake?.()
  }

  private async build(breathe: () => Promise<void>): Promise<InstalledTable> {
    for (;;) {
      if (this.abandoned) throw new Error('nft listing abandoned')
      if (this.fault !== undefined) throw this.fault
      const runs = this.runs
      if (runs.length === 0) {
        if (this.ended) break
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = undefined
        continue
      }
      this.runs = []
      for (const run of runs) await this.take(run, breathe)
    }
    for (const run of this.splitter.end()) await this.take(run, breathe)
    return this.builder.table()
  }

  private async take(run: string, breathe: () => Promise<void>): Promise<void> {
    for (const item of JSON.parse(protectBigNumbers(run)) as Json[]) {
      const set = this.builder.begin(item as Json)
      // A set of 10k elements is one item: its elements go in a slice at a time too.
      for (let from = 0; set && from < set.elems.length; from += ELEMENTS_PER_SLICE) {
        this.builder.addElements(set, from, from + ELEMENTS_PER_SLICE)
        await breathe()
      }
    }
    await breathe()
  }
}

/** Bytes of listing parsed at a time (~2 ms of JSON.parse). */
const RUN_BYTES = 128 * 1024
/** Set elements taken in at a time (~2 ms). */
const ELEMENTS_PER_SLICE = 2000

interface SetItem {
  elements: Map<string, string>
  isMap: boolean
  elems: unknown[]
}

/** The table of one listing, built item by item in the listing's order. */
class ListingBuilder {
  private readonly result: InstalledTable = {
    handle: -1,
    counters: new Map(),
    quotas: new Map(),
    limits: new Map(),
    elements: new Map(),
    chain: undefined,
  }

  constructor(private readonly name: string) {}

  add(item: Json): void {
    const set = this.begin(item)
    if (set) this.addElements(set, 0, set.elems.length)
  }

  /** Takes in the item, except a set's or map's elements: those are returned for addElements. */
  begin(item: Json): SetItem | undefined {
    const result = this.result
    const [kind, body] = Object.entries(item)[0] ?? []
    const o = body as Json
    if (kind === 'table' && o.family === 'inet' && o.name === this.name) result.handle = Number(o.handle)
    if (o.family !== 'inet' || o.table !== this.name) return
    const name = String(o.name)
    if (kind === 'counter') {
      result.counters.set(name, { handle: Number(o.handle), packets: big(o.packets), bytes: big(o.bytes) })
    } else if (kind === 'quota') {
      result.quotas.set(name, { handle: Number(o.handle), overBytes: big(o.bytes), usedBytes: big(o.used) })
    } else if (kind === 'limit') {
      result.limits.set(name, parseLimit(o))
    } else if (kind === 'set' || kind === 'map') {
      const elements = new Map<string, string>()
      result.elements.set(name, elements)
      return { elements, isMap: kind === 'map', elems: (o.elem as unknown[] | undefined) ?? [] }
    } else if (kind === 'chain' && o.name === CHAIN) {
      result.chain = {
        type: String(o.type),
        hook: String(o.hook),
        prio: Number(o.prio),
        policy: String(o.policy),
        ruleComments: [],
      }
    } else if (kind === 'rule' && o.chain === CHAIN) {
      result.chain?.ruleComments.push(String(o.comment ?? ''))
    }
  }

  addElements(set: SetItem, from: number, to: number): void {
    const end = Math.min(to, set.elems.length)
    for (let i = from; i < end; i++) {
      const elem = set.elems[i]
      const [key, value] = set.isMap ? (elem as [unknown, unknown]) : [elem, '']
      set.elements.set(elementKey(key), String(value))
    }
  }

  table(): InstalledTable {
    if (this.result.handle < 0) throw new Error(`nft listing has no table inet ${this.name}`)
    return this.result
  }
}

function big(value: unknown): bigint {
  return BigInt(String(value ?? 0))
}

function parseLimit(o: Json): InstalledLimit {
  const rateUnit = UNIT[String(o.rate_unit)]
  const burstUnit = UNIT[String(o.burst_unit ?? o.rate_unit)]
  if (rateUnit === undefined || o.per !== 'second') {
    // A packet-rate limit is not one of ours; NaN never equals what we want, so it gets replaced.
    return { handle: Number(o.handle), bytesPerSecond: Number.NaN, burstBytes: Number.NaN, over: !!o.inv }
  }
  return {
    handle: Number(o.handle),
    bytesPerSecond: Number(o.rate) * rateUnit,
    burstBytes: Number(o.burst ?? 0) * (burstUnit ?? 1),
    over: o.inv === true,
  }
}

/** `"10.0.0.1"`, `{prefix:{addr,len}}`, `{range:[a,b]}` or `{elem:{val}}` → canonical text. */
export function elementKey(key: unknown): string {
  if (typeof key === 'string') return cachedPrefix(key).text
  const o = key as Json
  if (o.prefix) {
    const p = o.prefix as { addr: string; len: number }
    return cachedPrefix(`${p.addr}/${p.len}`).text
  }
  if (Array.isArray(o.range)) return o.range.map((end) => elementKey(end)).join('-')
  if (o.elem) return elementKey((o.elem as Json).val)
  throw new Error(`unexpected nft set element ${JSON.stringify(key)}`)
}
