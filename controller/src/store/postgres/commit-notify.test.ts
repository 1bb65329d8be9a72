/** Commits as other controllers read them: split under NOTIFY's limit, whole again, old ones too. */
import { describe, expect, it } from 'vitest'
import type { Commit } from '../commit-notes.js'
import { commitPayloads, readPayload } from './commit-notify.js'

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${i}`)

describe('commit payloads', () => {
  it('splits a large commit into payloads under the limit that together say all of it', () => {
    const commit: Commit = {
      subscriberIds: ids('sub', 900),
      shownSubscriberIds: ids('shw', 300),
      deliveriesQueued: true,
      topUpsAdded: [],
      deliveryOutcomes: [{ channel: 'sms', outcome: 'sent' }],
      withoutAutoTopUp: ids('sub', 400),
    }
    const payloads = commitPayloads('store_a', commit, 2000)
    expect(payloads.length).toBeGreaterThan(5)
    const read = payloads.map((p) => {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2000)
      return readPayload(p)!
    })
    expect(read.every((e) => e.o === 'store_a')).toBe(true)
    expect(read.some((e) => e.c.deliveriesQueued)).toBe(true)
    const all = (key: 'subscriberIds' | 'shownSubscriberIds' | 'withoutAutoTopUp') =>
      read.flatMap((e) => e.c[key] ?? [])
    expect(all('subscriberIds')).toEqual(commit.subscriberIds)
    expect(all('shownSubscriberIds')).toEqual(commit.shownSubscriberIds)
    expect(all('withoutAutoTopUp')).toEqual(commit.withoutAutoTopUp)
    expect(read.flatMap((e) => e.c.deliveryOutcomes)).toEqual(commit.deliveryOutcomes)
  })

  it('says the shown subscribers under the earlier version’s name too, in every part', () => {
    for (const count of [2, 400]) {
      const commit: Commit = {
        subscriberIds: ids('sub', count),
        shownSubscriberIds: ids('shw', count),
        deliveriesQueued: false,
        topUpsAdded: [],
        deliveryOutcomes: [],
      }
      const parts = commitPayloads('store_a', commit, 2000).map((p) => JSON.parse(p).c)
      // The earlier version requires the field in every payload it reads.
      expect(parts.every((c) => Array.isArray(c.orderSubscriberIds))).toBe(true)
      expect(parts.flatMap((c) => c.orderSubscriberIds)).toEqual(commit.shownSubscriberIds)
      expect(parts.flatMap((c) => readPayload(JSON.stringify({ o: 'x', c }))!.c.shownSubscriberIds)).toEqual(
        commit.shownSubscriberIds,
      )
    }
  })

  it('reads a commit of a controller of the earlier version, whose order owners had another name', () => {
    const old = JSON.stringify({
      o: 'store_old',
      c: { subscriberIds: ['sub_1'], orderSubscriberIds: ['sub_2'], deliveriesQueued: false },
    })
    expect(readPayload(old)).toEqual({
      o: 'store_old',
      c: {
        subscriberIds: ['sub_1'],
        shownSubscriberIds: ['sub_2'],
        deliveriesQueued: false,
        topUpsAdded: [],
        deliveryOutcomes: [],
      },
    })
  })

  it('reads nothing from a payload that is not a commit', () => {
    for (const junk of [undefined, '', 'nope', '{}', '{"o":1,"c":{}}', '{"o":"x","c":{"subscriberIds":5}}'])
      expect(readPayload(junk), String(junk)).toBeUndefined()
  })
})
