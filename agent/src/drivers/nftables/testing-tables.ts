/** Tables and rules the plan's tests and benches start from. */
import type { seededRandom } from '@capd/protocol/testing'
import type { SubscriberRule } from '../driver.js'
import { SETS } from './layout.js'
import type { InstalledTable } from './nft-json.js'

/** A table with capd's structure and nothing in it. */
export const emptyTable = (): InstalledTable => ({
  handle: 7,
  counters: new Map(),
  quotas: new Map(),
  limits: new Map(),
  elements: new Map(SETS.map((s) => [s.name, new Map()])),
  chain: undefined,
})

/** A rule of any state, with or without a quota, counted one way or both. */
export function randomRule(r: ReturnType<typeof seededRandom>, id: string, address: string): SubscriberRule {
  const state = (['open', 'blocked', 'throttled'] as const)[r.int(0, 2)]!
  const rule: SubscriberRule = { subscriberId: id, address, state }
  if (state === 'throttled') rule.throttleKbps = r.int(1, 4) * 500
  if (r.int(0, 2) > 0) rule.remainingBytes = BigInt(r.int(-1000, 5_000_000))
  if (rule.remainingBytes !== undefined && r.int(0, 3) === 0) rule.count = r.int(0, 1) ? 'down' : 'up'
  return rule
}
