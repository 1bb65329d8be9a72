import { describe, expect, it } from 'vitest'
import type { SubscriberRule } from './driver.js'
import { checkRules } from './rules.js'

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Refuses ids with a `!`, as a driver refuses what its names cannot hold. */
function checkId(id: string): void {
  if (id.includes('!')) throw new RangeError(`bad id ${id}`)
}

const ADDRESSES = [
  '10.0.0.1',
  '10.0.0.2',
  '10.0.0.0/30',
  '10.0.1.0/24',
  '10.0.1.7',
  '2001:db8::/64',
  '2001:db8::5',
  '0.0.0.0/0',
  'junk',
  '10.9.0.1',
]
const STATES = ['open', 'blocked', 'throttled', 'gone'] as const

function randomRule(rnd: () => number, id: string): SubscriberRule {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!
  const rule: SubscriberRule = { subscriberId: id, state: pick(STATES) as SubscriberRule['state'] }
  if (rnd() < 0.85) rule.address = pick(ADDRESSES)
  if (rnd() < 0.3) rule.login = pick(['ann', 'bob'])
  if (rnd() < 0.7) rule.throttleKbps = pick([0, 1, 512])
  if (rnd() < 0.5) rule.remainingBytes = BigInt(Math.floor(rnd() * 1000))
  return rule
}

describe('checkRules', () => {
  it('answers a list that changed a little as a first check of the same list would', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = random(seed)
      const ids = Array.from({ length: 12 }, (_, i) => (i === 7 ? 's!7' : `s${i}`))
      let rules = ids.map((id) => randomRule(rnd, id))
      for (let step = 0; step < 40; step++) {
        rules = rules.map((rule) => ({ ...rule }))
        const r = rnd()
        const at = Math.floor(rnd() * rules.length)
        if (r < 0.5) {
          // A push: some of one rule's own fields change, its id and address stay.
          const changed = randomRule(rnd, rules[at]!.subscriberId)
          rules[at] = { ...changed, address: rules[at]!.address, login: rules[at]!.login }
          if (rules[at]!.address === undefined) delete rules[at]!.address
          if (rules[at]!.login === undefined) delete rules[at]!.login
        } else if (r < 0.65) {
          rules[at] = randomRule(rnd, rules[at]!.subscriberId)
        } else if (r < 0.7) {
          // A login given or taken away (a subscriber with no address counts by its sessions).
          const rule = rules[at]!
          if (rule.login) delete rule.login
          else rule.login = 'cy'
        } else if (r < 0.75) {
          rules.splice(at, 0, randomRule(rnd, ids[Math.floor(rnd() * ids.length)]!))
        } else if (r < 0.8 && rules.length > 1) {
          rules.splice(at, 1)
        }
        // Now and then from another driver kind (one that learns addresses from sessions, or not).
        const learnsAddresses = (seed % 3 === 0) !== rnd() < 0.1
        const remembered = checkRules(rules, checkId, { learnsAddresses })
        // A checkId never seen before cannot be answered from memory.
        const afresh = checkRules(rules, (id) => checkId(id), { learnsAddresses })
        expect(remembered, `seed ${seed} step ${step}`).toEqual(afresh)
        for (const [i, { rule }] of remembered.checked.entries()) {
          expect(rule, `seed ${seed} step ${step}: the rule given, not the last one`).toBe(
            afresh.checked[i]!.rule,
          )
        }
        // What a caller adds to the answer's lists is not remembered.
        remembered.skipped.push({ subscriberId: 'x', code: 'x', message: 'x' })
      }
    }
  })
})
