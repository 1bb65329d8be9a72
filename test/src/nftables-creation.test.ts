/**
 * The nftables driver reports the counters it is about to create, before the batch that creates
 * them, on a real kernel: so the agent can record the creation (at zero) durably first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { createNetnsRouter, type NetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('nftables creation tests', unavailable)
const title = needs.title(`nftables counter creation`)

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  let driver: RouterDriver

  beforeEach(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: 2 })
    driver = createNftablesDriver({ netns: net.routerNs })
    await driver.start()
  })
  afterEach(async () => {
    await net?.destroy()
  })

  const counters = async () => {
    const listing = JSON.parse(
      await net.exec(net.routerNs, ['nft', '-j', 'list', 'counters', 'table', 'inet', 'capd']),
    )
    return (listing.nftables as Array<{ counter?: { name: string } }>).flatMap((i) =>
      i.counter ? [i.counter.name] : [],
    )
  }
  /** Applies `rules`; returns each call of the creation callback with the counters present at that moment. */
  const applyWatching = async (rules: SubscriberRule[], fail = false) => {
    const calls: Array<{ ids: string[]; present: string[] }> = []
    const apply = driver.apply(rules, await driver.readCounters(), async (ids) => {
      calls.push({ ids: [...ids].sort(), present: (await counters()).sort() })
      if (fail) throw new Error('the disk is full')
    })
    if (fail) await expect(apply).rejects.toThrow(/the disk is full/)
    else await apply
    return calls
  }
  const rule = (subscriberId: string, address: string): SubscriberRule => ({
    subscriberId,
    address,
    state: 'open',
  })

  it('reports new counters before they exist, nothing when they do, and all again after the table is deleted', async () => {
    const a = rule('alice', net.customer(0).ipv4)
    const b = rule('bob', net.customer(1).ipv4)

    expect(await applyWatching([a])).toEqual([{ ids: ['alice'], present: [] }])
    expect(await applyWatching([a, b])).toEqual([{ ids: ['bob'], present: ['cd_alice', 'cu_alice'] }])
    expect(await applyWatching([a, b])).toEqual([])
    expect((await counters()).sort()).toEqual(['cd_alice', 'cd_bob', 'cu_alice', 'cu_bob'])

    await net.exec(net.routerNs, ['nft', 'delete', 'table', 'inet', 'capd'])
    expect(await applyWatching([a, b])).toEqual([{ ids: ['alice', 'bob'], present: [] }])
    expect((await counters()).sort()).toEqual(['cd_alice', 'cd_bob', 'cu_alice', 'cu_bob'])
  })

  it('creates nothing when the record of the creation fails', async () => {
    const calls = await applyWatching([rule('alice', net.customer(0).ipv4)], true)
    expect(calls).toEqual([{ ids: ['alice'], present: [] }])
    expect(await counters()).toEqual([])
  })
})
