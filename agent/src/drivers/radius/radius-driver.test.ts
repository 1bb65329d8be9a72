import { describe, expect, it } from 'vitest'
import type { RouterDriver, SubscriberRule } from '../driver.js'
import type { RadiusAccounting } from './accounting-server.js'
import { createRadiusDriver } from './radius-driver.js'

/** An accounting source whose open sessions are given: `framed` by subscriber, oldest-seen first. */
function sourceWith(framed: Record<string, string[]>): RadiusAccounting {
  return {
    start: async () => {},
    close: async () => {},
    readCounters: async () => ({ atMs: 0, bootId: '', samples: [] }),
    track: async () => [],
    sessionAddresses: () => new Map(Object.entries(framed)),
  } as unknown as RadiusAccounting
}

/** An enforcer that records the rules it was asked to apply. */
function recorder(kind = 'nftables') {
  const applied: SubscriberRule[][] = []
  const enforcer: RouterDriver = {
    kind,
    start: async () => {},
    close: async () => {},
    readCounters: async () => ({ atMs: 0, bootId: '', samples: [] }),
    apply: async (rules) => {
      applied.push([...rules])
      return { skipped: [] }
    },
  }
  return { enforcer, applied }
}

describe('the RADIUS driver handing rules to its enforcer', () => {
  const shop: SubscriberRule = { subscriberId: 'shop', address: '10.0.0.5', state: 'open' }
  const ana: SubscriberRule = { subscriberId: 'ana', login: 'ana', state: 'blocked' }

  it("enforces a login subscriber on the address its NAS reported last, after every subscriber's own address", async () => {
    // Ana's old session (a Stop that never came) had 10.0.0.5, now the shop's; her live one 10.0.0.9.
    const { enforcer, applied } = recorder()
    const driver = createRadiusDriver(sourceWith({ ana: ['10.0.0.5', '10.0.0.9'] }), enforcer)
    await driver.apply([ana, shop], { atMs: 0, bootId: '', samples: [] })
    expect(applied[0]).toEqual([shop, { ...ana, address: '10.0.0.9' }])
  })

  it('leaves out a login subscriber with no open session, and hands CoA every rule as it is', async () => {
    const nft = recorder()
    await createRadiusDriver(sourceWith({}), nft.enforcer).apply([ana, shop], {
      atMs: 0,
      bootId: '',
      samples: [],
    })
    expect(nft.applied[0]).toEqual([shop])
    const coa = recorder('coa')
    await createRadiusDriver(sourceWith({}), coa.enforcer).apply([ana, shop], {
      atMs: 0,
      bootId: '',
      samples: [],
    })
    expect(coa.applied[0]).toEqual([ana, shop])
  })
})
