/**
 * The `nftables` router driver: counts, blocks, caps and throttles per subscriber in table `inet capd`.
 * On a BRAS (`sessions`), subscribers known by login are enforced on their sessions' current
 * addresses, read afresh at every apply (the agent applies after each reading); a source that fails
 * stops no one else's enforcement (see session-fallback.ts).
 */
import { readFile } from 'node:fs/promises'
import { LoopBreather, type RuleProblem } from '@capd/protocol'
import type {
  ApplyReport,
  CounterReading,
  CountersCreating,
  RouterDriver,
  SubscriberRule,
} from '../driver.js'
import { counterSamplesInSlices } from './counters.js'
import { afterChanges } from './model.js'
import { createNftRunner, NftError } from './nft-exec.js'
import { type InstalledTable, ListingParser } from './nft-json.js'
import { type Plan, planSteps, type QuotaCap } from './plan.js'
import { type Change, changeBatch, structureBatch } from './ruleset.js'
import { createSessionFallback, type SessionsNow } from './session-fallback.js'
import type { SessionSource } from './session-source.js'
import { finish } from './steps.js'

export interface NftablesDriverOptions {
  /** Table name in family `inet`; only tests should change it. */
  table?: string
  nftPath?: string
  /** Per nft call. */
  timeoutMs?: number
  /** Drive the router of this network namespace (`ip netns exec`), for tests. */
  netns?: string
  bootIdPath?: string
  /**
   * The PPP sessions this box terminates (accel-ppp, pppd): subscribers with a login and no
   * address are enforced on their sessions' addresses. Without it such rules are skipped.
   */
  sessions?: SessionSource
  /** Hears a session source failing (and recovering). */
  warn?: (line: string) => void
  /** The clock the age of the last session list is taken by; tests only. */
  nowMs?: () => number
}

export function createNftablesDriver(options: NftablesDriverOptions = {}): RouterDriver {
  const { table = 'capd', bootIdPath = '/proc/sys/kernel/random/boot_id' } = options
  if (!/^[A-Za-z][A-Za-z0-9_]{0,30}$/.test(table)) throw new RangeError(`bad nft table name "${table}"`)
  const nft = createNftRunner(options)
  const sessionList =
    options.sessions &&
    createSessionFallback(options.sessions, options.warn ?? (() => {}), options.nowMs ?? Date.now)
  /** Batches this driver has committed: a listing taken across one may or may not show it. */
  let generation = 0
  /** The last reading and the listing it came from, with the generation the listing began in. */
  let cached: { reading: CounterReading; installed: InstalledTable; generation: number } | undefined
  /**
   * The table as of `generation`: a listing no batch ran across, plus this driver's batches since.
   * A pushed limit is planned against it without listing the whole table again.
   */
  let model: { installed: InstalledTable; generation: number; listing: InstalledTable } | undefined
  /** One batch at a time: each is planned against the result of the one before. */
  let applying: Promise<unknown> = Promise.resolve()
  /** Quota caps in force (see quota-plan.ts); lost on restart, then re-derived from the kernel. */
  let caps = new Map<string, QuotaCap>()
  let bootId: string | undefined
  /** Readings this driver made: each lists every counter of the table as it was then. */
  const ownReadings = new WeakSet<CounterReading>()
  /** A listing of 10k subscribers is taken in a slice at a time, so a pushed top-up is heard meanwhile. */
  const breather = new LoopBreather()
  const breathe = () => breather.breathe()

  /** The table as installed; `reading`: a poll's, stoppable by `signal` and run in the background. */
  async function list(reading?: { signal?: AbortSignal }): Promise<InstalledTable | undefined> {
    const began = generation
    // Parsed as nft writes it: a 10k listing comes over ~200 ms, about the parse's own time.
    const parser = new ListingParser(table, breathe)
    try {
      await nft.chunks(['-j', 'list', 'table', 'inet', table], {
        signal: reading?.signal,
        background: reading !== undefined,
        onChunk: (chunk) => parser.push(chunk),
      })
      parser.end()
      const installed = await parser.table
      if (began === generation) model = { installed, generation, listing: installed }
      return installed
    } catch (error) {
      // nft failed or was stopped: what it wrote is dropped (a no-op once the parse has ended).
      parser.abandon()
      if (error instanceof NftError && error.isMissing) return undefined
      throw error
    }
  }

  /**
   * Runs one script; the generation moves before and after it, so a listing that ran across any
   * part of it (or began before it) is never taken for the table as it is now.
   */
  async function batch(script: string): Promise<void> {
    generation++
    model = undefined
    try {
      await nft(['-f', '-'], script)
    } finally {
      generation++
    }
  }

  /** Runs the changes (under the caller's turn) and moves the model on by them. */
  async function commit(installed: InstalledTable, changes: readonly Change[]): Promise<void> {
    const listing = model?.installed === installed ? model.listing : installed
    await batch(changeBatch(table, changes))
    model = { installed: afterChanges(installed, changes), generation, listing }
  }

  async function applyNow(
    rules: readonly SubscriberRule[],
    reading: CounterReading,
    creating: CountersCreating | undefined,
    only: ReadonlySet<string> | undefined,
    giveWay: (() => boolean) | undefined,
  ): Promise<ApplyReport> {
    const known = only && model?.generation === generation ? model.installed : undefined
    const own = cached?.reading === reading ? cached : undefined
    // The reading's own listing is the state to diff against; after batches of this driver since
    // (a push that went first), that listing with them. Anything else is listed again.
    const listed =
      known ??
      (own?.generation === generation
        ? own.installed
        : own && model?.generation === generation && model.listing === own.installed
          ? model.installed
          : await list())
    const installed = await ensureStructure(listed)
    // Counted a slice at a time here, so the whole plan finds them ready (they are kept per listing).
    if (!known) await counterSamplesInSlices(installed, breathe)
    const sessions = await sessionPrefixes(rules)
    const steps = planSteps(
      rules,
      installed,
      reading,
      caps,
      ownReadings.has(reading),
      known ? only : undefined,
      sessions?.byLogin,
    )
    // A push plans its own subscribers at once; a whole table is planned a slice at a time.
    const plan = known ? finish(steps) : await planInSlices(steps, giveWay)
    if (!plan) return { skipped: [], gaveWay: true }
    caps = plan.caps
    if (plan.changes.length > 0) {
      const created = createdPairs(plan.changes)
      if (created.length > 0) await creating?.(created)
      await commit(installed, plan.changes)
    }
    return {
      skipped: sessions?.unread
        ? [...plan.skipped, ...unread(rules, plan.skipped, sessions.unread)]
        : plan.skipped,
    }
  }

  /** The plan, letting the loop turn between its steps; undefined if it gave way meanwhile. */
  async function planInSlices(
    steps: Generator<void, Plan>,
    giveWay: (() => boolean) | undefined,
  ): Promise<Plan | undefined> {
    for (;;) {
      const step = steps.next()
      if (step.done) return step.value
      if (breather.due()) {
        await breathe()
        if (giveWay?.()) return undefined
      }
    }
  }

  /** login → its sessions' prefixes now; read only when some rule needs them. Never rejects. */
  async function sessionPrefixes(rules: readonly SubscriberRule[]): Promise<SessionsNow | undefined> {
    if (!sessionList) return undefined
    if (!rules.some(byLogin)) return { byLogin: new Map() }
    return sessionList.read()
  }

  /** Creates whatever part of the structure is missing; elements and objects already there stay. */
  async function ensureStructure(installed: InstalledTable | undefined): Promise<InstalledTable> {
    const script = structureBatch(table, installed)
    if (!script && installed) return installed
    await batch(script)
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

    async readCounters(signal?: AbortSignal) {
      const startedAtMs = Date.now()
      const began = generation
      // Only nft's own listing stops for the signal: once its output is in, the reading is made.
      const installed = await list({ signal })
      bootId ??= (await readFile(bootIdPath, 'utf8')).trim()
      // A missing table means no counters exist (apply re-creates them, with new counterIds).
      const reading: CounterReading = {
        atMs: Date.now(),
        startedAtMs,
        bootId,
        samples: installed ? await counterSamplesInSlices(installed, breathe) : [],
      }
      cached = installed && { reading, installed, generation: began }
      ownReadings.add(reading)
      return reading
    },

    apply(
      rules: readonly SubscriberRule[],
      reading: CounterReading,
      creating?: CountersCreating,
      only?: ReadonlySet<string>,
      giveWay?: () => boolean,
    ): Promise<ApplyReport> {
      const turn = applying.then(() => applyNow(rules, reading, creating, only, giveWay))
      applying = turn.catch(() => {})
      return turn
    },

    async close() {
      // The table stays: enforcement and counters must outlive the agent process.
      cached = undefined
      model = undefined
      nft.close()
    },
  }
}

function byLogin(rule: SubscriberRule): boolean {
  return rule.address === undefined && Boolean(rule.login)
}

/**
 * The login subscribers planned with no address because the sessions could not be read: reported
 * as skipped (not enforced), though their counters and quota stay for when the sessions are back.
 */
function unread(
  rules: readonly SubscriberRule[],
  skipped: readonly RuleProblem[],
  why: string,
): RuleProblem[] {
  const already = new Set(skipped.map((problem) => problem.subscriberId))
  return rules
    .filter((rule) => byLogin(rule) && !already.has(rule.subscriberId))
    .map((rule) => ({
      subscriberId: rule.subscriberId,
      code: 'sessions_unread',
      message: (
        `subscriber ${rule.subscriberId}: the sessions cannot be read, so login "${rule.login}" has no ` +
        `address here and is not counted, capped or blocked until they can (${why})`
      ).slice(0, 480),
    }))
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
