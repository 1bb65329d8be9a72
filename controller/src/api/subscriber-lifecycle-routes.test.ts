import { describe, expect, it } from 'vitest'
import { limitsFor } from '../domain/limits.js'
import { type Reply, testApp } from '../testing/test-app.js'

async function kit() {
  const t = await testApp()
  const seeded = await t.seed()
  const id = seeded.subscriber.id as string
  const limit = async () => (await t.store.transact((tx) => limitsFor(tx, t.env, [id])))[0]
  const auditActions = async () =>
    ((await t.call('GET', '/audit?limit=100')).body.items as { action: string }[]).map((a) => a.action)
  return { ...t, ...seeded, id, limit, auditActions }
}

describe('suspend and resume', () => {
  it('suspends with limit 0 and block whatever was bought, and resumes to the normal limit', async () => {
    const k = await kit()
    await k.call('POST', `/subscribers/${k.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    const before = (await k.limit())!
    expect(before).toMatchObject({ limitBytes: 110e9, onCap: 'block' })

    const suspended = await k.call('POST', `/subscribers/${k.id}/suspend`, {
      reason: 'Unpaid invoice INV-2026-000012',
    })
    expect(suspended.status).toBe(200)
    expect(suspended.body.suspension).toMatchObject({ reason: 'Unpaid invoice INV-2026-000012' })
    const blocked = (await k.limit())!
    expect(blocked).toMatchObject({ limitBytes: 0, onCap: 'block', limitVersion: before.limitVersion + 1 })

    // An operator top-up is taken (it waits behind the suspension) but does not unblock.
    const topUp = await k.call('POST', `/subscribers/${k.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    expect(topUp.status).toBe(201)
    expect(await k.limit()).toMatchObject({ limitBytes: 0, onCap: 'block' })

    const resumed = await k.call('POST', `/subscribers/${k.id}/resume`)
    expect(resumed.status).toBe(200)
    expect(resumed.body.suspension).toBeUndefined()
    const open = (await k.limit())!
    expect(open).toMatchObject({ limitBytes: 120e9, onCap: 'block' })
    expect(open.limitVersion).toBeGreaterThan(blocked.limitVersion)
  })

  it('repeats safely: the same reason again and a second resume change and audit nothing', async () => {
    const k = await kit()
    const suspend = (reason: string) => k.call('POST', `/subscribers/${k.id}/suspend`, { reason })
    expect((await suspend('Unpaid')).status).toBe(200)
    const version = (await k.limit())!.limitVersion
    const snapshot = k.snapshot()
    expect((await suspend('  Unpaid ')).status).toBe(200)
    expect(k.snapshot()).toBe(snapshot)

    // A new reason replaces the old one (the customer sees it) without another version.
    const again = await suspend('Abuse report 17')
    expect(again.body.suspension.reason).toBe('Abuse report 17')
    expect((await k.limit())!.limitVersion).toBe(version)

    await k.call('POST', `/subscribers/${k.id}/resume`)
    const resumed = k.snapshot()
    expect((await k.call('POST', `/subscribers/${k.id}/resume`)).status).toBe(200)
    expect(k.snapshot()).toBe(resumed)
    const actions = await k.auditActions()
    expect(actions.filter((a) => a === 'subscriber.suspend')).toHaveLength(2)
    expect(actions.filter((a) => a === 'subscriber.resume')).toHaveLength(1)
  })

  it('refuses a missing, empty, over-long or forged reason and an unknown subscriber, changing nothing', async () => {
    const k = await kit()
    const snapshot = k.snapshot()
    for (const body of [
      {},
      { reason: '' },
      { reason: '   ' },
      { reason: 'x'.repeat(201) },
      { reason: 'a\u202eb' },
    ]) {
      const reply = await k.call('POST', `/subscribers/${k.id}/suspend`, body)
      expect(reply.status).toBe(400)
      expect(reply.body.error.code).toBe('invalid_request')
    }
    const extra = await k.call('POST', `/subscribers/${k.id}/suspend`, { reason: 'x', limitBytes: 5 })
    expect(extra.status).toBe(400)
    expect((await k.call('POST', '/subscribers/sub_nobody/suspend', { reason: 'x' })).status).toBe(404)
    expect((await k.call('POST', '/subscribers/sub_nobody/resume')).status).toBe(404)
    expect(k.snapshot()).toBe(snapshot)
  })
})

describe('delete', () => {
  it('takes the subscriber off lists, address checks and its agent but keeps its books', async () => {
    const k = await kit()
    const topUp = await k.call('POST', `/subscribers/${k.id}/topups`, { topUpPlanId: k.topUpPlan.id })
    const deleted = await k.call('DELETE', `/subscribers/${k.id}`)
    expect(deleted.status).toBe(200)
    expect(deleted.body.deletedAt).toBe(new Date(k.clock.now()).toISOString())

    expect((await k.call('GET', `/subscribers/${k.id}`)).body.deletedAt).toBeDefined()
    expect((await k.call('GET', '/subscribers')).body.items).toEqual([])
    expect((await k.call('GET', '/subscribers?q=alice')).body.items).toEqual([])
    const shown = (await k.call('GET', '/subscribers?deleted=true')).body.items
    expect(shown.map((s: { id: string }) => s.id)).toEqual([k.id])
    expect(await k.store.transact((tx) => limitsFor(tx, k.env, [k.id]))).toEqual([])
    expect(await k.store.transact((tx) => tx.subscribers.forAgent(k.agent.id))).toEqual([])

    const invoices = await k.call('GET', `/subscribers/${k.id}/invoices`)
    expect(invoices.body.items.map((i: { id: string }) => i.id)).toEqual([topUp.body.invoice.id])

    // The address is free again on the same agent.
    const reused = await k.call('POST', '/subscribers', {
      name: 'Bob',
      login: 'bob',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '10.0.0.0/24',
    })
    expect(reused.status).toBe(201)
    expect(await k.auditActions()).toContain('subscriber.delete')
  })

  it('refuses to delete twice, to edit, top up, pay, suspend or resume a deleted subscriber', async () => {
    const k = await kit()
    await k.call('DELETE', `/subscribers/${k.id}`)
    const snapshot = k.snapshot()
    const refused = [
      await k.call('DELETE', `/subscribers/${k.id}`),
      await k.call('PATCH', `/subscribers/${k.id}`, { name: 'Zed' }),
      await k.call('POST', `/subscribers/${k.id}/topups`, { topUpPlanId: k.topUpPlan.id }),
      await k.call('POST', `/subscribers/${k.id}/payments`, { amount: { amount: 100, currency: 'USD' } }),
      await k.call('PUT', `/subscribers/${k.id}/auto-topup`, {
        enabled: true,
        topUpPlanId: k.topUpPlan.id,
        maxPerPeriod: 1,
      }),
      await k.call('POST', `/subscribers/${k.id}/suspend`, { reason: 'late' }),
      await k.call('POST', `/subscribers/${k.id}/resume`),
    ]
    for (const reply of refused) {
      expect(reply.status).toBe(409)
      expect(reply.body.error).toMatchObject({ code: 'deleted' })
      expect(reply.body.error.message).toMatch(/was deleted/)
    }
    expect(k.snapshot()).toBe(snapshot)
    expect((await k.call('DELETE', '/subscribers/sub_nobody')).status).toBe(404)
  })

  it('are documented in openapi.json', async () => {
    const k = await kit()
    const doc = (await (await k.app.request('/api/v1/openapi.json')).json()) as Reply['body']
    expect(doc.paths['/api/v1/subscribers/{id}'].delete).toBeDefined()
    expect(doc.paths['/api/v1/subscribers/{id}/resume'].post).toBeDefined()
    const suspend = doc.paths['/api/v1/subscribers/{id}/suspend'].post
    expect(Object.keys(suspend.requestBody.content['application/json'].schema.properties)).toEqual(['reason'])
  })
})
