/**
 * "With a threshold set the subscriber is never blocked while funds last": random usage steps
 * through the agent protocol, each no larger than the trigger, the clock moving past the minimum
 * interval between them, until the funds are spent and the data runs out. After every step, while the balance could pay for a top-up, the limit
 * exceeds the usage — in the controller's books and in the last limit the agent was sent.
 */
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import { connectAgent, hello, usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const PRICE = 100
const PACK_BYTES = 500

async function walk(seed: number) {
  const rnd = seededRandom(seed)
  const t = await testApp()
  const plan = (
    await t.call('POST', '/plans', { name: 'Tiny', capBytes: 1000, onCap: 'block', allowTiny: true })
  ).body
  const pack = (
    await t.call('POST', '/topup-plans', {
      name: '500 B',
      bytes: PACK_BYTES,
      price: usd(PRICE),
      allowTiny: true,
    })
  ).body
  const agent = (await t.call('POST', '/agents', { name: 'tower' })).body
  const sub = (
    await t.call('POST', '/subscribers', {
      name: 'A',
      login: 'a',
      planId: plan.id,
      agentId: agent.id,
      address: '10.0.0.1',
    })
  ).body
  const balance = rnd.int(0, 6) * PRICE + rnd.int(0, PRICE - 1)
  if (balance > 0) await t.call('POST', `/subscribers/${sub.id}/payments`, { amount: usd(balance) })
  // A trigger below the pack's size, so one top-up always lifts the remaining data above it.
  const percent = rnd.int(10, 80)
  const byBytes = rnd.next() < 0.5
  const triggerBytes = byBytes ? rnd.int(50, 400) : Math.floor((PACK_BYTES * percent) / 100)
  const minIntervalMs = [0, 60_000, 300_000][rnd.int(0, 2)]!
  const settings = {
    enabled: true,
    topUpPlanId: pack.id,
    maxPerPeriod: 100,
    minIntervalMs,
    trigger: byBytes ? { kind: 'bytes', bytes: triggerBytes } : { kind: 'percent_of_last', percent },
  }
  expect((await t.call('PUT', `/subscribers/${sub.id}/auto-topup`, settings)).status).toBe(200)
  const server = await t.serve()
  onTestFinished(() => server.close())
  const client = await connectAgent(server.wsUrl, agent.token)
  onTestFinished(() => client.close())
  client.send(hello(agent.id))
  let agentLimit = (await client.next('sync')).subscribers[0].limitBytes as number

  const label = `seed ${seed} ${JSON.stringify(settings)} balance ${balance}`
  // Walks until the funds are spent and the data runs out (or 300 steps).
  let blocked = false
  for (let seq = 1; seq <= 300 && !blocked; seq++) {
    t.clock.advance(minIntervalMs + rnd.int(0, 60_000))
    client.send(usage('epoch-a', [{ seq, subscriberId: sub.id, down: rnd.int(1, triggerBytes) }]))
    await client.next('ack')
    await t.hub.drain()
    const read = (await t.call('GET', `/subscribers/${sub.id}`)).body
    const { limitBytes, usedBytes } = read.usage
    // The agent gets every new limit; wait for it to arrive.
    while (agentLimit !== limitBytes) agentLimit = (await client.next('limits')).subscribers[0].limitBytes
    if (read.balance.amount >= PRICE) {
      expect(limitBytes, `${label}, step ${seq}`).toBeGreaterThan(usedBytes)
      expect(agentLimit, `${label}, step ${seq}: the agent's limit`).toBeGreaterThan(usedBytes)
    }
    blocked = limitBytes <= usedBytes
  }
  // Every sale paid from the balance, once.
  const autos = Object.values(t.data.topUps).filter((x) => x.source === 'auto')
  const read = (await t.call('GET', `/subscribers/${sub.id}`)).body
  expect(read.balance, label).toEqual(usd(balance - autos.length * PRICE))
  return { autos: autos.length, blocked, balance }
}

describe('auto top-up with a threshold', () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))(
    'seed %i: never blocked while the balance pays for one; blocked only once it does not',
    async (seed) => {
      const { autos, blocked, balance } = await walk(seed)
      // It ran out only after as many top-ups as the balance paid for.
      expect(blocked).toBe(true)
      expect(autos).toBe(Math.floor(balance / PRICE))
    },
  )
})
