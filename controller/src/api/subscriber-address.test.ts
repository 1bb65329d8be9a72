import { parseIpPrefix, prefixRange } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

/** Alice (10.0.0.5) on tower-1, an empty tower-2, and a body builder for the next subscriber. */
async function seeded() {
  const t = await testApp()
  const { plan, agent, subscriber } = await t.seed()
  const other = (await t.call('POST', '/agents', { name: 'tower-2' })).body
  let n = 0
  const body = (overrides: Record<string, unknown>) => ({
    name: `Bob ${++n}`,
    login: `bob${n}`,
    planId: plan.id,
    agentId: agent.id,
    ...overrides,
  })
  return { ...t, plan, agent, other, alice: subscriber, body }
}

describe('subscriber addresses', () => {
  it.each(['10.0.0.0/16', '10.0.0.0/8', '10.0.0.4/31', '10.0.0.5/32'])(
    'refuses %s beside 10.0.0.5 on the same agent (409 naming Alice), changing nothing',
    async (address) => {
      const t = await seeded()
      const before = t.snapshot()
      const res = await t.call('POST', '/subscribers', t.body({ address }))
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('conflict')
      expect(res.body.error.message).toContain(t.alice.id)
      expect(res.body.error.message).toContain('10.0.0.5')
      expect(res.body.error.details).toEqual([{ path: 'address', message: expect.stringContaining('Alice') }])
      expect(t.snapshot()).toBe(before)
      // On another agent the same address is fine: a different router.
      expect((await t.call('POST', '/subscribers', t.body({ address, agentId: t.other.id }))).status).toBe(
        201,
      )
    },
  )

  it('refuses a host inside a prefix that is already taken', async () => {
    const t = await seeded()
    expect((await t.call('POST', '/subscribers', t.body({ address: '2001:db8:5::/48' }))).status).toBe(201)
    const before = t.snapshot()
    const res = await t.call('POST', '/subscribers', t.body({ address: '2001:db8:5:7::1' }))
    expect(res.status).toBe(409)
    expect(res.body.error.message).toMatch(/overlaps 2001:db8:5::\/48 of subscriber sub_/)
    expect(t.snapshot()).toBe(before)
  })

  it.each([
    '0.0.0.0/0',
    '::/0',
    '10.0.0.0/7',
    '127.0.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '0.0.0.0',
    '240.0.0.1',
    '169.254.0.9',
    '::',
    '::1',
    'fe80::1',
    'ff02::1',
    '::ffff:10.0.0.5',
    '::10.0.0.5',
  ])('refuses %s with 400 naming the address field, changing nothing', async (address) => {
    const t = await seeded()
    const before = t.snapshot()
    const res = await t.call('POST', '/subscribers', t.body({ address, agentId: t.other.id }))
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(res.body.error.message).toMatch(/^address: /)
    expect(t.snapshot()).toBe(before)
    const patch = await t.call('PATCH', `/subscribers/${t.alice.id}`, { address })
    expect(patch.status).toBe(400)
    expect(patch.body.error.message).toMatch(/^address: /)
    expect(t.snapshot()).toBe(before)
  })

  it('refuses an edit onto an overlapping address, and a move onto an agent where it overlaps', async () => {
    const t = await seeded()
    const bob = (await t.call('POST', '/subscribers', t.body({ address: '10.0.1.0/24' }))).body
    const carol = (
      await t.call('POST', '/subscribers', t.body({ address: '10.0.0.0/24', agentId: t.other.id }))
    ).body
    const before = t.snapshot()
    const widened = await t.call('PATCH', `/subscribers/${bob.id}`, { address: '10.0.0.0/23' })
    expect(widened.status).toBe(409)
    expect(widened.body.error.message).toContain(t.alice.id)
    const moved = await t.call('PATCH', `/subscribers/${t.alice.id}`, { agentId: t.other.id })
    expect(moved.status).toBe(409)
    expect(moved.body.error.message).toContain(carol.id)
    expect(t.snapshot()).toBe(before)
    // Its own address never stands in its way: narrowing Bob's prefix is fine.
    expect((await t.call('PATCH', `/subscribers/${bob.id}`, { address: '10.0.1.0/25' })).status).toBe(200)
  })

  it('agrees with a brute-force overlap check over random prefixes, creates and edits', async () => {
    const t = await seeded()
    const taken = new Map<string, string>([[t.alice.id, '10.0.0.5']])
    const random = () => {
      const length = 20 + Math.floor(Math.random() * 13)
      const value = (10 << 24) | Math.floor(Math.random() * 4096)
      const network = length === 32 ? value : value & ~((1 << (32 - length)) - 1)
      return `${[24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.')}/${length}`
    }
    const overlapping = (address: string, except?: string) => {
      const a = prefixRange(parseIpPrefix(address))
      return [...taken].some(([id, other]) => {
        if (id === except) return false
        const b = prefixRange(parseIpPrefix(other))
        return a.start <= b.end && b.start <= a.end
      })
    }
    for (let i = 0; i < 150; i++) {
      const address = random()
      const ids = [...taken.keys()]
      const edit = i % 3 === 2 ? ids[Math.floor(Math.random() * ids.length)] : undefined
      const res = edit
        ? await t.call('PATCH', `/subscribers/${edit}`, { address })
        : await t.call('POST', '/subscribers', t.body({ address }))
      const expected = overlapping(address, edit) ? 409 : edit ? 200 : 201
      expect(res.status, `${edit ? 'edit' : 'create'} ${address}`).toBe(expected)
      if (res.status < 300) taken.set(res.body.id, res.body.address)
    }
  })
})
