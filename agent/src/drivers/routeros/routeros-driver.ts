/**
 * The `routeros` router driver: a MikroTik router counts, throttles and blocks each subscriber
 * through the API (plain 8728 or api-ssl 8729).
 *
 * - Counting: one simple queue per subscriber, named and commented `capd:<subscriberId>`, target
 *   its address or prefix (`10.0.0.5/32`, `2001:db8:5::/64`). `bytes` is `upload/download` from the
 *   target's side, so the first number is what the subscriber sent (`up`), the second what it got.
 *   The counter identity is the queue's `.id`: RouterOS never hands out an `.id` twice within one
 *   boot, so a queue removed and added again shows as a new counter; after a reboot `.id`s may be
 *   dealt again from the start, but the boot id (estimated boot time, from `/system/resource`
 *   uptime) has changed then, and that alone starts a new counter generation.
 * - Throttling: the queue's `max-limit` (`<up>/<down>` bits/s: `throttleUpKbps`, or `throttleKbps`
 *   when no upload rate is given, then `throttleKbps`); `0/0` when not throttled.
 * - Blocking: an entry (comment `capd:<subscriberId>`) in address list `capd-blocked`, which two
 *   filter rules in chain `forward` drop, above any FastTrack / established-accept rule (start()
 *   checks and adds them unless `manageFilterRule: false`).
 * - RouterOS has nothing like an nft quota that stops traffic at an exact byte count, so the driver
 *   never sets `quotaSpent` and enforcement is poll-precise: a subscriber can pass the cap by what
 *   it moves in one poll interval (the agent polls faster near the cap to keep that small). The
 *   plan's direction is the agent's: it draws only the counted direction's bytes into its books,
 *   so `remainingBytes` and its `count` are not needed here.
 * - A subscriber known by login alone (no address) is counted on its PPP or hotspot session
 *   (sessions.ts) and blocked and throttled on the session's current addresses (session-wants.ts):
 *   a re-login on a new address moves its list entry and queue target there; with no session open
 *   nothing is kept for it. Its queue exists only while throttled.
 * - Only objects commented `capd:…` are ever changed or removed; apply diffs first and sends only
 *   the adds, sets and removes that differ.
 * - Every call goes through one session (bounded concurrency, a timeout per call, reconnect with
 *   backoff). A failed call fails that readCounters/apply with an error naming the router and the
 *   change; the agent tries again next poll. Bad credentials are terminal (see api/session.ts): the
 *   session stops dialing — so the router's login lockout is never provoked — and every later call
 *   fails with the same RouterOsLoginError until the agent is restarted with fixed config.
 */
import type {
  ApplyReport,
  CounterReading,
  CounterSample,
  CountersCreating,
  RouterDriver,
  SubscriberRule,
} from '../driver.js'
import {
  createRouterOsSession,
  type RouterOsSession,
  type RouterOsTlsOptions,
  RouterOsTrap,
} from './api/index.js'
import { createBootTracker } from './boot-id.js'
import { RouterOsApplyError, runInOrder, runPhased } from './execute.js'
import { FILTER_PROPS, type FilterMenu, planFilterRules, toFilterRow } from './filter-rule.js'
import { type Listing, listBlocked, readListing } from './listing.js'
import { parseOwner } from './names.js'
import { planChanges } from './plan.js'
import { sessionSamples } from './sessions.js'
import { parseUpDown, parseUptime } from './values.js'

export interface RouterOsDriverOptions {
  host: string
  /** Default 8728, or 8729 with `tls`. */
  port?: number
  /** Use api-ssl (recommended: without it the password crosses the network in clear text). */
  tls?: RouterOsTlsOptions
  user: string
  password: string
  /**
   * When a subscriber has no capd queue but an operator's queue already targets its address, take
   * that queue over (renamed `capd:<id>`, its name, comment and max-limit kept in the comment and
   * restored when capd lets go of it; its counters reset) instead of adding a second queue behind
   * it that would count nothing. Default false: capd never touches a queue it did not make.
   */
  adoptExistingQueues?: boolean
  /** Add (and keep above FastTrack) the two drop rules for `capd-blocked`. Default true. */
  manageFilterRule?: boolean
  /** Per API call (default 10 s). */
  timeoutMs?: number
  /** API calls in flight at once (default 4). */
  concurrency?: number
  /** A session to use instead of one built from the options above (tests); the caller closes it. */
  session?: RouterOsSession
  /** Warnings for the operator (default: none); each distinct line once. */
  log?: (line: string) => void
}

export function createRouterOsDriver(options: RouterOsDriverOptions): RouterDriver {
  const { host, tls, adoptExistingQueues = false, manageFilterRule = true } = options
  const port = options.port ?? (tls ? 8729 : 8728)
  const where = `routeros ${host}:${port}`
  const session =
    options.session ??
    createRouterOsSession({
      host,
      port,
      user: options.user,
      password: options.password,
      ...(tls ? { tls } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    })
  const log = options.log ?? (() => {})
  const warned = new Set<string>()
  const warn = (line: string) => {
    if (warned.has(line)) return
    warned.add(line)
    log(`capd ${where}: ${line}`)
  }
  const trackBoot = createBootTracker()
  let bootId: string | undefined
  /** The filter rules are checked by start() and again after every reboot (a restored backup, a reset). */
  let filterStale = true
  /** Whether the router has `/ipv6/firewall` menus; probed once. */
  let ipv6: boolean | undefined
  /** The last listing and the reading made from it, while nothing has changed the router since. */
  let cached: { reading: CounterReading; listing: Listing } | undefined
  /** Subscribers of the last apply known by login alone (login → subscriber id): counted by session. */
  let logins = new Map<string, string>()
  const listingOf = async (sessions = logins.size > 0) =>
    readListing(session, { ipv6: await hasIpv6(), sessions, warn })
  /** Subscribers known by login said to be awaiting a session since they last had one. */
  const announced = new Set<string>()
  /**
   * Those now without a session and not yet said: their next session is a counter the router
   * creates at zero, so it counts from zero, the first one included (recorded by `creating`).
   */
  const awaitingSession = (listing: Listing): string[] => {
    const awaiting: string[] = []
    for (const [login, subscriberId] of logins) {
      if (listing.sessions?.get(login)?.some((row) => row.counter)) announced.delete(subscriberId)
      else if (!announced.has(subscriberId)) awaiting.push(subscriberId)
    }
    const current = new Set(logins.values())
    for (const id of announced) if (!current.has(id)) announced.delete(id)
    return awaiting
  }

  const failed = (what: string, error: unknown) =>
    new Error(`${where}: ${what}: ${(error as Error).message}`, { cause: error })

  async function readBoot(): Promise<string> {
    const [row] = await session.run('/system/resource/print', {}, { proplist: ['uptime'] })
    const id = trackBoot({
      uptimeMs: parseUptime(row?.uptime),
      monoMs: performance.now(),
      wallMs: Date.now(),
    })
    if (bootId !== undefined && id !== bootId) filterStale = true
    bootId = id
    return id
  }

  async function hasIpv6(): Promise<boolean> {
    if (ipv6 !== undefined) return ipv6
    try {
      await listBlocked(session, 6)
      ipv6 = true
    } catch (error) {
      if (!(error instanceof RouterOsTrap)) throw error
      warn(
        `no IPv6 firewall (${error.routerMessage}): IPv6 subscribers are counted and throttled, never blocked`,
      )
      ipv6 = false
    }
    return ipv6
  }

  async function ensureFilterRules(): Promise<void> {
    const menus: FilterMenu[] = ['/ip/firewall/filter']
    if (await hasIpv6()) menus.push('/ipv6/firewall/filter')
    for (const menu of menus) {
      const rows = (await session.run(`${menu}/print`, {}, { proplist: FILTER_PROPS })).map(toFilterRow)
      const plan = planFilterRules(rows, menu, manageFilterRule)
      for (const line of plan.warnings) warn(line)
      await runInOrder(session, plan.changes)
    }
    filterStale = false
  }

  return {
    kind: 'routeros',

    async start() {
      cached = undefined
      try {
        await readBoot()
        await ensureFilterRules()
      } catch (error) {
        throw failed('start', error)
      }
    },

    async readCounters() {
      const startedAtMs = Date.now()
      cached = undefined
      try {
        const [id, listing] = await Promise.all([readBoot(), listingOf()])
        const reading: CounterReading = {
          atMs: Date.now(),
          startedAtMs,
          bootId: id,
          samples: [
            ...samplesOf(listing, logins),
            ...sessionSamples(listing.sessions ?? new Map(), logins, startedAtMs),
          ],
        }
        cached = { reading, listing }
        return reading
      } catch (error) {
        throw failed('reading counters', error)
      }
    },

    async apply(
      rules: readonly SubscriberRule[],
      reading: CounterReading,
      creating?: CountersCreating,
    ): Promise<ApplyReport> {
      if (filterStale) {
        try {
          await ensureFilterRules()
        } catch (error) {
          throw failed('checking the filter rules', error)
        }
      }
      logins = new Map(
        rules.flatMap((rule) =>
          rule.address === undefined && rule.login ? [[rule.login, rule.subscriberId] as const] : [],
        ),
      )
      let listing: Listing
      try {
        // The reading's own listing is the state to diff against unless something changed since (or
        // it holds no sessions and some subscriber is now known by login).
        const fresh = cached?.reading === reading && (logins.size === 0 || cached.listing.sessions)
        listing = fresh ? cached!.listing : await listingOf()
      } catch (error) {
        throw failed('listing the queues before apply', error)
      }
      const plan = planChanges(rules, listing, { adoptExistingQueues })
      // Conflicts that only the operator can resolve: said (once), not thrown, so they cannot hold up
      // everyone else's enforcement or the agent's usage reports poll after poll.
      for (const line of [...plan.problems, ...plan.warnings]) warn(line)
      const report = { skipped: plan.skipped }
      const awaiting = awaitingSession(listing)
      const zeroed = [
        ...plan.changes.flatMap((change) => (change.zeroes ? [change.zeroes] : [])),
        ...awaiting,
      ]
      if (zeroed.length > 0) await creating?.(zeroed)
      for (const id of awaiting) announced.add(id)
      if (plan.changes.length === 0) return report
      cached = undefined
      const outcome = await runPhased(session, plan.changes)
      if (outcome.failures.length > 0) {
        throw new RouterOsApplyError(where, outcome.failures, plan.changes.length, { cause: outcome.cause })
      }
      return report
    },

    async close() {
      cached = undefined
      // Queues, list entries and rules stay: counting and enforcement outlive the agent process.
      if (!options.session) await session.close()
    },
  }
}

/**
 * One sample per subscriber with a capd queue (the first in queue order, the one that sees the
 * traffic), except those known by login: their sessions count them, the queue only throttles.
 */
function samplesOf(listing: Listing, logins: ReadonlyMap<string, string>): CounterSample[] {
  const bySession = new Set(logins.values())
  const samples = new Map<string, CounterSample>()
  for (const row of listing.queues) {
    const owner = parseOwner(row.comment)
    if (!owner || owner.session || samples.has(owner.subscriberId) || bySession.has(owner.subscriberId))
      continue
    const bytes = parseUpDown(row.bytes)
    if (!bytes) continue
    samples.set(owner.subscriberId, {
      subscriberId: owner.subscriberId,
      counterId: `ros:${row.id}`,
      down: bytes.down,
      up: bytes.up,
    })
  }
  return [...samples.values()]
}
