/**
 * Cost of a BRAS poll for the nftables driver at 20k PPP sessions: parsing accel-cmd's session
 * table, and planning a steady table for subscribers known by login against the same subscribers
 * known by address (the baseline, same run). Also the batch size when 1% of them re-log in on new
 * addresses: O(changed), until more than REWRITE_AFTER_DELETES (64) move in one poll and the
 * driver rewrites whole maps instead (faster in nft than many interval-element deletions). Standalone: `pnpm tsx bench/bras-plan.ts`.
 */
import type { CounterReading, SubscriberRule } from '../agent/src/drivers/driver.js'
import { prefixesByLogin } from '../agent/src/drivers/login-prefixes.js'
import { SETS } from '../agent/src/drivers/nftables/layout.js'
import { afterChanges } from '../agent/src/drivers/nftables/model.js'
import type { InstalledTable } from '../agent/src/drivers/nftables/nft-json.js'
import { planChanges } from '../agent/src/drivers/nftables/plan.js'
import { parseAccelSessions } from '../agent/src/drivers/nftables/session-parse.js'

const SESSIONS = 20_000
const ROUNDS = 7
const v4 = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
const ms = (from: number) => performance.now() - from
const reading: CounterReading = { atMs: 0, bootId: 'b', samples: [] }
const empty = (): InstalledTable => ({
  handle: 1,
  counters: new Map(),
  quotas: new Map(),
  limits: new Map(),
  elements: new Map(SETS.map((set) => [set.name, new Map()])),
  chain: undefined,
})

function accelTable(offset: number, moved: number): string {
  const rows = Array.from({ length: SESSIONS }, (_, i) => {
    const address = v4(i < moved ? offset + SESSIONS + i : offset + i)
    return ` ppp${i} | user${i} | ${address} |  |  `
  })
  return [
    ' ifname | username | ip | ip6 | ip6-dp ',
    '-------+----------+----+-----+-------',
    ...rows,
    '',
  ].join('\r\n')
}

/** Median of the rounds, in ms. */
function time(run: () => unknown): number {
  const runs = Array.from({ length: ROUNDS }, () => {
    const started = performance.now()
    run()
    return ms(started)
  }).sort((a, b) => a - b)
  return runs[Math.floor(ROUNDS / 2)]!
}

/** Medians of two runs timed in turn, in ms. */
function timeAlternating(a: () => unknown, b: () => unknown): [number, number] {
  const runs: [number[], number[]] = [[], []]
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, run] of [a, b].entries()) {
      const started = performance.now()
      run()
      runs[k]!.push(ms(started))
    }
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  return [median(runs[0]), median(runs[1])]
}

export function brasPlan(): void {
  const offset = 1 << 16
  const text = accelTable(offset, 0)
  const parseMs = time(() => parseAccelSessions(text))
  const sessions = prefixesByLogin(parseAccelSessions(text).sessions)

  const byAddress: SubscriberRule[] = Array.from({ length: SESSIONS }, (_, i) => ({
    subscriberId: `s${i}`,
    address: v4(offset + i),
    state: 'open',
    remainingBytes: 1_000_000_000n,
  }))
  const byLogin: SubscriberRule[] = byAddress.map(({ address: _, ...rule }, i) => ({
    ...rule,
    login: `user${i}`,
  }))
  const steady = (rules: SubscriberRule[], logins?: typeof sessions) => {
    const first = planChanges(rules, empty(), reading, new Map(), true, undefined, logins)
    return { table: afterChanges(empty(), first.changes), caps: first.caps }
  }
  const addressTable = steady(byAddress)
  const loginTable = steady(byLogin, sessions)
  // Alternated round by round, so a busy machine weighs on both alike.
  const [addressMs, loginMs] = timeAlternating(
    () => planChanges(byAddress, addressTable.table, reading, addressTable.caps, true),
    () => planChanges(byLogin, loginTable.table, reading, loginTable.caps, true, undefined, sessions),
  )
  const steadyChanges = planChanges(
    byLogin,
    loginTable.table,
    reading,
    loginTable.caps,
    true,
    undefined,
    sessions,
  )
  const relogins = [SESSIONS / 1000, SESSIONS / 100].map((moved) => {
    const after = prefixesByLogin(parseAccelSessions(accelTable(offset, moved)).sessions)
    const { changes } = planChanges(
      byLogin,
      loginTable.table,
      reading,
      loginTable.caps,
      true,
      undefined,
      after,
    )
    const ops = (op: string) => changes.filter((c) => c.op === op).length
    return (
      `  changes when ${moved} re-log in on new addresses: ${changes.length} ` +
      `(${ops('delete-element')} element deletions, ${ops('add-element')} additions, ${ops('flush-set')} set rewrites, ` +
      `${changes.length - ops('delete-element') - ops('add-element') - ops('flush-set')} to counters or quotas)`
    )
  })
  console.log(`\nBRAS poll, ${SESSIONS} PPP sessions (median of ${ROUNDS})`)
  console.log(`  parse accel-cmd table (${(text.length / 1e6).toFixed(1)} MB): ${parseMs.toFixed(1)} ms`)
  console.log(`  plan, subscribers by address (baseline): ${addressMs.toFixed(1)} ms`)
  console.log(
    `  plan, subscribers by login: ${loginMs.toFixed(1)} ms (ratio ${(loginMs / addressMs).toFixed(2)})`,
  )
  console.log(`  changes in a steady poll: ${steadyChanges.changes.length}`)
  for (const line of relogins) console.log(line)
}

if (import.meta.url === `file://${process.argv[1]}`) brasPlan()
