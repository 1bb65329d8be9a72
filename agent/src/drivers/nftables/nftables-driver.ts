/** The `nftables` router driver: counts, blocks, caps and throttles per subscriber in table `inet capd`. */
import { readFile } from 'node:fs/promises'
import type {
  ApplyReport,
  CounterReading,
  CountersCreating,
  RouterDriver,
  SubscriberRule,
} from '../driver.js'
import { counterSamples } from './counters.js'
import { createNftRunner, NftError } from './nft-exec.js'
import { type InstalledTable, parseListing } from './nft-json.js'
import { planChanges, type QuotaCap } from './plan.js'
import { type Change, changeBatch, structureBatch } from './ruleset.js'

export interface NftablesDriverOptions {
  /** Table name in family `inet`; only tests should change it. */
  table?: string
  nftPath?: string
  /** Per nft call. */
  timeoutMs?: number
  /** Drive the router of this network namespace (`ip netns exec`), for tests. */
  netns?: string
  bootIdPath?: string
}

export function createNftablesDriver(options: NftablesDriverOptions = {}): RouterDriver {
  const { table = 'capd', bootIdPath = '/proc/sys/kernel/random/boot_id' } = options
  if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(table)) throw new RangeError(`bad nft table name "${table}"`)
  const nft = createNftRunner(options)
  /** The last listing and the reading made from it, while nothing has changed the table since. */
  let cached: { reading: CounterReading; installed: InstalledTable } | undefined
  /** Quota caps in force (see quota-plan.ts); lost on restart, then re-derived from the kernel. */
  let caps = new Map<string, QuotaCap>()
  let bootId: string | undefined
  /** Readings this driver made: each lists every counter of the table as it was then. */
  const ownReadings = new WeakSet<CounterReading>()

  async function list(): Promise<InstalledTable | undefined> {
    try {
      return parseListing(await nft(['-j', 'list', 'table', 'inet', table]), table)
    } catch (error) {
      if (error instanceof NftError && error.isMissing) return undefined
      throw error
    }
  }

  /** Creates whatever part of the structure is missing; elements and objects already there stay. */
  async function ensureStructure(installed: InstalledTable | undefined): Promise<InstalledTable> {
    const script = structureBatch(table, installed)
    if (!script && installed) return installed
    await nft(['-f', '-'], script)
    const fresh = await list()
    if (!fresh) throw new Error(`nft table inet ${table} vanished right after it was created`)
    return fresh
  }

  return {
    kind: 'nftables',

    async start() {
      cached = undefined
      await ensureStructure(await list())
    },

    async readCounters() {
      const startedAtMs = Date.now()
      const installed = await list()
      bootId ??= (await readFile(bootIdPath, 'utf8')).trim()
      // A missing table means no counters exist (apply re-creates them, with new counterIds).
      const reading: CounterReading = {
        atMs: Date.now(),
        startedAtMs,
        bootId,
        samples: installed ? counterSamples(installed) : [],
      }
      cached = installed && { reading, installed }
      ownReadings.add(reading)
      return reading
    },

    async apply(
      rules: readonly SubscriberRule[],
      reading: CounterReading,
      creating?: CountersCreating,
    ): Promise<ApplyReport> {
      // The reading's own listing is the state to diff against unless something changed since.
      const listed = cached?.reading === reading ? cached.installed : await list()
      const installed = await ensureStructure(listed)
      const plan = planChanges(rules, installed, reading, caps, ownReadings.has(reading))
      caps = plan.caps
      if (installed !== listed || plan.changes.length > 0) cached = undefined
      // An apply that changed nothing leaves the listing valid, so a limits push right after a
      // poll is planned without listing the whole table again.
      if (plan.changes.length > 0) {
        const created = createdPairs(plan.changes)
        if (created.length > 0) await creating?.(created)
        await nft(['-f', '-'], changeBatch(table, plan.changes))
      }
      return { skipped: plan.skipped }
    },

    async close() {
      // The table stays: enforcement and counters must outlive the agent process.
      cached = undefined
    },
  }
}

/**
 * Subscribers both of whose counters the batch creates: those count from zero. A lone re-created
 * counter is not reported; its partner keeps its value, so the pair starts a new generation.
 */
function createdPairs(changes: readonly Change[]): string[] {
  const added = new Map<string, number>()
  for (const c of changes) {
    if (c.op === 'add-counter') added.set(c.subscriberId, (added.get(c.subscriberId) ?? 0) + 1)
  }
  return [...added].filter(([, n]) => n === 2).map(([id]) => id)
}
