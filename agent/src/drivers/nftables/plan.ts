/** The diff between the rules the agent wants and the table as listed: the changes for one batch. */
import type { CountDirection, IpPrefix, RuleProblem } from '@capd/protocol'
import type { CounterReading, CounterSample, SubscriberRule } from '../driver.js'
import { loginPrefixes } from '../login-prefixes.js'
import { type CheckedRules, checkRules } from '../rules.js'
import { counterSamples, samplesOf } from './counters.js'
import { type ObjectKind, objectNames, SETS, setNames } from './layout.js'
import type { InstalledTable } from './nft-json.js'
import { OverlayMap } from './overlay-map.js'
import { MAX_PACKET_BYTES, planQuota } from './quota-plan.js'
import type { Change } from './ruleset.js'
import { finish } from './steps.js'
import { installedAllWanted, OBJECT_KINDS, ownedObjects, sameElements } from './table-match.js'

export interface Plan {
  changes: Change[]
  /** Quota caps (counter space) in force once the changes are applied; remember them for the next plan. */
  caps: Map<string, QuotaCap>
  /**
   * Rules left out (each with why); everything of theirs in the table is removed like a departed
   * subscriber's. A login subscriber whose session address another holds is listed too, but keeps
   * its counters and its other addresses.
   */
  skipped: RuleProblem[]
}

/** A quota's cap in the counter space of the direction(s) it counts; a cap in another space is no cap. */
export interface QuotaCap {
  count: CountDirection
  cap: bigint
}

/** The counter value a one-way or two-way quota moves in step with. */
export function countedBytes(sample: Pick<CounterSample, 'down' | 'up'>, count: CountDirection): bigint {
  if (count === 'down') return sample.down
  if (count === 'up') return sample.up
  return sample.down + sample.up
}

/**
 * The policer for a throttled subscriber, one per direction. The kernel's byte limit holds one second
 * of rate plus `burst`; the burst is at least 128 KiB so a GRO super-packet (up to 64 KiB) always fits
 * even at low rates, and otherwise a tenth of a second so TCP is not starved into sawtooth.
 */
export function limitFor(throttleKbps: number): { bytesPerSecond: number; burstBytes: number } {
  const bytesPerSecond = Math.max(1, Math.round(throttleKbps * 125))
  return { bytesPerSecond, burstBytes: Math.max(131_072, Math.ceil(bytesPerSecond / 10)) }
}

type SetRole = keyof ReturnType<typeof setNames>

/** planSteps run to its end at once: a push's plan, or wherever the loop may be held. */
export function planChanges(...args: Parameters<typeof planSteps>): Plan {
  return finish(planSteps(...args))
}

/** Subscribers (or elements, or objects) planned between two steps: ~1 ms of work. */
const PER_STEP = 250

/**
 * The plan, a step at a time: it yields every PER_STEP subscribers, objects or elements, so a
 * whole table of 10k subscribers can be planned while the event loop still turns (a pushed
 * top-up heard meanwhile), and the planning dropped between steps with nothing changed.
 */
export function* planSteps(
  rules: readonly SubscriberRule[],
  installed: InstalledTable,
  reading: CounterReading,
  lastCaps: ReadonlyMap<string, QuotaCap>,
  /**
   * The reading is a full listing of this table (the driver's own): counters missing from it, or
   * with another id there, were created after it, from zero, so all they hold passed since.
   */
  readingComplete = false,
  /**
   * `pushed`: plan only these subscribers (a pushed limit): everything else in the table, and every other
   * remembered cap, is left as it is. Undefined: the whole table is made to match `rules`.
   */
  pushed?: ReadonlySet<string>,
  /**
   * login → the prefixes of its open sessions, when the router terminates sessions (a BRAS): rules
   * with a login and no address are then enforced on those. Undefined: such rules are skipped.
   */
  sessions?: ReadonlyMap<string, readonly IpPrefix[]>,
): Generator<void, Plan> {
  let done = 0
  // An id no object name can hold has nothing in the table (validate skips its rule).
  const only = pushed && new Set([...pushed].filter(nameable))
  const changes: Change[] = []
  // A push keeps every other remembered cap: its own are taken out of a view of them (O(pushed)).
  const caps = only ? OverlayMap.over(lastCaps) : new Map<string, QuotaCap>()
  if (only) for (const id of only) caps.delete(id)
  const ours = (id: string) => !only || only.has(id)
  const wantElements = new Map(SETS.map((set) => [set.name, new Map<string, string>()]))
  // The objects wanted, as names in order: a set of them is made only when some object must go.
  const wantObjects: Record<ObjectKind, string[]> = { counter: [], quota: [], limit: [] }
  /** Objects deleted and added again in this batch: every element pointing at them must be re-added. */
  const recreated = new Set<string>()
  // A push looks at its own subscribers' counters only, not every sample of a fresh view of the table.
  const current = new Map(
    (only ? samplesOf(installed, only) : counterSamples(installed)).map((s) => [s.subscriberId, s]),
  )
  yield
  const inReading = samplesById(reading)
  yield

  const { checked, byLogin, skipped } = validate(rules, sessions !== undefined)
  yield
  // A subscriber known by login keeps its named objects with or without a session: a re-login on
  // another address moves only the map elements, and its counters and quota carry on.
  const learned = loginPrefixes(byLogin, checked, sessions ?? new Map())
  skipped.push(...learned.problems)
  const targets = [
    ...checked.flatMap(({ rule, prefix }) => (ours(rule.subscriberId) ? [{ rule, prefixes: [prefix] }] : [])),
    ...byLogin.flatMap((rule) =>
      ours(rule.subscriberId) ? [{ rule, prefixes: learned.prefixes.get(rule.subscriberId)! }] : [],
    ),
  ]
  /** In an `only` plan: the addresses its subscribers hold now or are to hold, the only elements looked at. */
  const touched = only && touchedKeys(installed, only)
  yield
  for (const { rule, prefixes } of targets) {
    const id = rule.subscriberId
    if (++done % PER_STEP === 0) yield
    for (const prefix of prefixes) touched?.add(prefix.text)
    const names = objectNames(id)
    const at = prefixes.map((prefix) => ({ key: prefix.text, sets: setNames(prefix.family) }))
    const put = (set: SetRole, value = '') => {
      for (const { key, sets } of at) wantElements.get(sets[set])!.set(key, value)
    }

    for (const [name, set] of [
      [names.countDown, 'countDown'],
      [names.countUp, 'countUp'],
    ] as const) {
      wantObjects.counter.push(name)
      put(set, name)
      if (!installed.counters.has(name)) changes.push({ op: 'add-counter', name, subscriberId: id })
    }
    const count = rule.count ?? 'both'
    const quotaHolds = holdsBlock(rule, count)
    if (rule.state === 'blocked' && !quotaHolds) put('block')
    if (rule.state === 'throttled') {
      for (const [name, set, kbps] of [
        [names.limitDown, 'limitDown', rule.throttleKbps!],
        [names.limitUp, 'limitUp', rule.throttleUpKbps ?? rule.throttleKbps!],
      ] as const) {
        const want = limitFor(kbps)
        wantObjects.limit.push(name)
        put(set, name)
        const have = installed.limits.get(name)
        if (
          have?.over &&
          have.bytesPerSecond === want.bytesPerSecond &&
          have.burstBytes === want.burstBytes
        ) {
          continue
        }
        // A limit object cannot be changed in place (`add limit` on an existing one is ignored).
        if (have) {
          changes.push({ op: 'delete-object', kind: 'limit', name })
          recreated.add(name)
        }
        changes.push({ op: 'add-limit', name, subscriberId: id, ...want })
      }
    }
    if (rule.remainingBytes !== undefined) {
      const name = names.quota
      wantObjects.quota.push(name)
      if (count !== 'up') put('quotaDown', name)
      if (count !== 'down') put('quotaUp', name)
      const now = current.get(id)
      const then = inReading.get(id)
      const last = lastCaps.get(id)
      const decision = planQuota({
        remainingBytes: rule.remainingBytes,
        readingTotal:
          now && then?.counterId === now.counterId
            ? countedBytes(then!, count)
            : now && readingComplete
              ? 0n
              : undefined,
        currentTotal: now ? countedBytes(now, count) : undefined,
        installed: installed.quotas.get(name),
        // A cap remembered in another direction's counter space says nothing about this one.
        lastCap: last?.count === count ? last.cap : undefined,
      })
      caps.set(id, { count, cap: decision.cap })
      if (decision.action !== 'keep') {
        const { overBytes } = decision
        // A quota to start afresh is reset in place, not re-created: the maps pointing at it stay
        // untouched, and a top-up changes no element of them (nft rebuilds a whole map for one).
        const reset = decision.action === 'create' && installed.quotas.has(name)
        changes.push({ op: 'set-quota', name, subscriberId: id, overBytes, ...(reset ? { reset } : {}) })
      }
    }
  }

  for (const kind of OBJECT_KINDS) {
    if (!only && installedAllWanted(installed, kind, wantObjects[kind])) continue
    const wanted = new Set(wantObjects[kind])
    for (const name of ownedObjects(installed, kind, only)) {
      if (!wanted.has(name)) changes.push({ op: 'delete-object', kind, name })
      if (++done % PER_STEP === 0) yield
    }
  }
  for (const spec of SETS) {
    yield
    const set = spec.name
    const want = wantElements.get(set)!
    const all = installed.elements.get(set) ?? new Map<string, string>()
    if (!touched && recreated.size === 0 && sameElements(want, all)) continue
    const have = touched
      ? new Map([...touched].flatMap((key) => (all.has(key) ? [[key, all.get(key)!]] : [])))
      : all
    const stale: string[] = []
    for (const [key, value] of have) {
      if (want.get(key) !== value || recreated.has(value)) stale.push(key)
      if (++done % PER_STEP === 0) yield
    }
    const rewrite = stale.length > REWRITE_AFTER_DELETES
    if (rewrite) changes.push({ op: 'flush-set', set, map: spec.objects !== undefined })
    else for (const key of stale) changes.push({ op: 'delete-element', set, key })
    for (const [key, value] of want) {
      if (rewrite || have.get(key) !== value || recreated.has(value)) {
        changes.push({ op: 'add-element', set, key, value })
      }
      if (++done % PER_STEP === 0) yield
    }
  }
  return { changes, caps, skipped }
}

/**
 * A blocked subscriber whose kernel quota is matched both ways and has less than a packet left by
 * the books is held by that quota alone, not by an element of the block set: planned as ever
 * (planQuota), a quota that ran out honestly stays spent, and a live one is lowered to what the
 * books still allow, so at most that passes before the next packet is over. Its top-up then changes
 * only the quota object (`add quota` + `reset quota`), never an element: nft 1.0.6 reads every named
 * object and every interval set's elements in the namespace for any element change (~330 ms beside
 * 10k subscribers), but not for an object change (~15 ms). A blocked subscriber with more left by
 * the books (its quota ran out before the books say it should, or a reading older than its top-up)
 * would be let through by its re-armed quota, and one counted one way would keep the other
 * direction open: those are blocked by the set.
 */
function holdsBlock(rule: SubscriberRule, count: CountDirection): boolean {
  return (
    rule.state === 'blocked' &&
    count === 'both' &&
    rule.remainingBytes !== undefined &&
    rule.remainingBytes < MAX_PACKET_BYTES
  )
}

const byId = new WeakMap<readonly CounterSample[], ReadonlyMap<string, CounterSample>>()

/** A reading's samples by subscriber, made once per reading: every push plans from the same one. */
function samplesById(reading: CounterReading): ReadonlyMap<string, CounterSample> {
  let map = byId.get(reading.samples)
  if (!map) {
    map = new Map(reading.samples.map((s) => [s.subscriberId, s]))
    byId.set(reading.samples, map)
  }
  return map
}

function nameable(id: string): boolean {
  try {
    objectNames(id)
    return true
  } catch {
    return false
  }
}

/** Keys of every element pointing at one of these subscribers' objects (their installed addresses). */
function touchedKeys(installed: InstalledTable, only: ReadonlySet<string>): Set<string> {
  const keys = new Set<string>()
  const names = new Set([...only].flatMap((id) => Object.values(objectNames(id))))
  for (const spec of SETS) {
    if (!spec.objects) continue
    for (const [key, value] of installed.elements.get(spec.name) ?? []) if (names.has(value)) keys.add(key)
  }
  return keys
}

/**
 * nft 1.0.6 deletes interval-set elements slowly (~3 ms each in a 10k set: 1000 take 3 s) but
 * flushes and refills a whole 10k set in ~0.2 s, atomically within the batch; past this many
 * deletions in one set, rewriting it is the faster way.
 */
const REWRITE_AFTER_DELETES = 64

/** Checks every rule before anything is changed: a bad one is left out, the others still applied. */
function validate(rules: readonly SubscriberRule[], learnsAddresses: boolean): CheckedRules {
  return checkRules(rules, checkObjectNames, { learnsAddresses })
}

/** One function, so checkRules knows a call from this driver (see its memory of the last call). */
function checkObjectNames(id: string): void {
  objectNames(id)
}
