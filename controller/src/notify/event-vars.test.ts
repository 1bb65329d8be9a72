/**
 * Every event's message is complete: the figures an event decides are exactly the variables its
 * templates document, and its default e-mail and SMS render with every placeholder filled. Each
 * event is decided by the controller's own paths (usage booked, a sale, the agent watch, a refused
 * webhook, the space watch), never built by hand, so a renamed variable on either side shows here.
 */

import { silentLogger } from '@capd/log'
import type { Usage } from '@capd/protocol'
import { beforeAll, describe, expect, it } from 'vitest'
import { recordHello } from '../domain/agents.js'
import { autoTopUpPass } from '../domain/auto-topup-pass.js'
import { branding, setBranding } from '../domain/branding.js'
import { ingestUsage } from '../domain/usage-ingest.js'
import { stripeWebhooks } from '../payments/stripe/stripe-webhook.js'
import { NOTIFICATION_EVENTS, type Notification, type NotificationEvent } from '../store/entities.js'
import { type EntryInput, usage } from '../testing/test-agent.js'
import { testApp } from '../testing/test-app.js'
import { AgentWatch } from './agent-watch.js'
import { setOperatorAlertEmails } from './notify-settings.js'
import { brandingVars, renderMessage } from './render.js'
import { watchStoreSpace } from './store-space-watch.js'
import { DEFAULT_TEMPLATES } from './template-defaults.js'
import { templateProblems } from './template-text.js'
import { BRANDING_VARIABLES, templateVariables, variableNames } from './template-vars.js'

const MIN = 60_000
const GIB = 1024 ** 3
const PUBLIC_URL = 'https://isp.example'
const usd = (amount: number) => ({ amount, currency: 'USD' })
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g

/** One controller that has decided every event once at least, the way it does in service. */
async function everyEventDecided() {
  const t = await testApp()
  t.env.channels = new Set(['email', 'sms'])
  t.env.publicUrl = PUBLIC_URL
  await t.store.transact(async (tx) => {
    await setBranding(tx, t.env, 'system', {
      name: 'Skyline',
      supportEmail: 'help@skyline.example',
      supportPhone: '+254 700 000 111',
    })
    await setOperatorAlertEmails(tx, t.env, ['noc@isp.example'])
  })
  const agent = (await t.call('POST', '/agents', { name: 'tower-1' })).body
  const plan = async (name: string, onCap: 'block' | 'throttle') => {
    const created = await t.call('POST', '/plans', {
      name,
      capBytes: 1000,
      onCap,
      ...(onCap === 'throttle' ? { throttleKbps: 256 } : {}),
      allowTiny: true,
    })
    expect(created.status).toBe(201)
    return created.body
  }
  const block = await plan('Tiny', 'block')
  const throttle = await plan('Tiny slow', 'throttle')
  const pack = (
    await t.call('POST', '/topup-plans', { name: '500 B', bytes: 500, price: usd(100), allowTiny: true })
  ).body
  let address = 0
  const subscriber = async (login: string, planId: string) => {
    const created = await t.call('POST', '/subscribers', {
      name: `Customer ${login}`,
      login,
      email: `${login}@example.net`,
      phone: '+254712345678',
      planId,
      agentId: agent.id,
      address: `10.0.0.${++address}`,
    })
    expect(created.status).toBe(201)
    return created.body
  }
  let seq = 0
  /** Books usage, then runs auto top-up in its own transaction, as the hub does. */
  const report = async (entries: Omit<EntryInput, 'seq'>[]) => {
    const batch = usage(
      'e1',
      entries.map((e) => ({ ...e, seq: ++seq })),
    ) as Usage
    const booked = await t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
    await autoTopUpPass(t.store, t.env, booked.subscriberIds)
  }

  // Usage: past 80 % and then to the cap on a blocking plan; at once to the cap on a throttling one.
  const blocked = await subscriber('blocked', block.id)
  const slowed = await subscriber('slowed', throttle.id)
  await report([{ subscriberId: blocked.id, down: 850 }])
  await report([
    { subscriberId: blocked.id, down: 200 },
    { subscriberId: slowed.id, down: 5000 },
  ])

  // An operator's top-up (and its invoice), and a payment.
  const topUp = await t.call('POST', `/subscribers/${blocked.id}/topups`, {
    topUpPlanId: pack.id,
    chargeTo: 'invoice',
  })
  expect(topUp.status).toBe(201)
  expect((await t.call('POST', `/subscribers/${blocked.id}/payments`, { amount: usd(150) })).status).toBe(201)

  // Auto top-up: one bought, then the balance is too low for the next.
  const auto = await subscriber('auto', block.id)
  expect((await t.call('POST', `/subscribers/${auto.id}/payments`, { amount: usd(150) })).status).toBe(201)
  const enabled = await t.call('PUT', `/subscribers/${auto.id}/auto-topup`, {
    enabled: true,
    topUpPlanId: pack.id,
    maxPerPeriod: 2,
    minIntervalMs: 0,
  })
  expect(enabled.status).toBe(200)
  await report([{ subscriberId: auto.id, down: 1000 }])
  for (let i = 0; i < 3; i++) await report([{ subscriberId: auto.id, down: 200 }])

  // The agent goes quiet past the watch's limit, then connects again.
  const hello = () =>
    t.store.transact(async (tx) =>
      recordHello(tx, t.env, (await tx.agents.get(agent.id))!, {
        agentVersion: '1',
        driver: 'fake',
        epoch: 'e1',
      }),
    )
  await hello()
  const watch = new AgentWatch({
    store: t.store,
    env: t.env,
    logger: silentLogger,
    isConnected: () => false,
    offlineMinutes: 10,
    startedAtMs: t.clock.now() - 60 * MIN,
  })
  t.clock.advance(12 * MIN)
  expect(await watch.pass()).toBe(1)
  t.clock.advance(35 * MIN)
  await hello()

  // A Stripe delivery without a signature is refused.
  const webhook = stripeWebhooks(
    { store: t.store, env: t.env, logger: silentLogger },
    {
      webhookSecret: 'whsec_test',
      verify: () => {
        throw new Error('no signatures found')
      },
    },
  )
  expect((await webhook.request('http://localhost/', { method: 'POST', body: '{}' })).status).toBe(400)

  // The data disk nearly full.
  const stop = watchStoreSpace(
    { store: t.store, env: t.env, logger: silentLogger, dataDir: '/data' },
    async () => ({ freeBytes: GIB / 2, totalBytes: 20 * GIB }),
  )
  // The watch checks once as it starts, in the background: wait for it (up to 2 s).
  const nearFull = () => Object.values(t.data.notifications).some((n) => n.event === 'store.near_full')
  for (let i = 0; i < 200 && !nearFull(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  stop()

  return t
}

describe('every event decides the variables its templates document', () => {
  let t: Awaited<ReturnType<typeof everyEventDecided>>
  const decided = (event: NotificationEvent): Notification[] =>
    Object.values(t.data.notifications).filter((n) => n.event === event)

  beforeAll(async () => {
    t = await everyEventDecided()
  }, 60_000)

  it.each(NOTIFICATION_EVENTS)('%s: its variables are the documented ones, each with a value', (event) => {
    const notifications = decided(event)
    expect(notifications.length, `no ${event} was decided`).toBeGreaterThan(0)
    const branding = new Set(BRANDING_VARIABLES.map((v) => v.name))
    const documented = templateVariables(event)
      .map((v) => v.name)
      .filter((name) => !branding.has(name))
      .sort()
    for (const n of notifications) {
      expect(Object.keys(n.vars).sort(), n.id).toEqual(documented)
      for (const name of documented) expect(n.vars[name]?.trim(), `${n.id}: {{${name}}}`).toBeTruthy()
    }
  })

  it.each(NOTIFICATION_EVENTS)('%s: the default e-mail and SMS leave no placeholder empty', async (event) => {
    const notification = decided(event)[0]!
    const b = await t.store.peek((tx) => branding(tx))
    const values: Record<string, string> = { ...notification.vars, ...brandingVars(b) }
    for (const channel of ['email', 'sms'] as const) {
      const template = DEFAULT_TEMPLATES[event][channel]
      const source = `${'subject' in template ? template.subject : ''}\n${template.body}`
      expect(templateProblems(source, variableNames(event)), `${event} ${channel}`).toEqual([])
      const message = await t.store.peek((tx) => renderMessage(tx, t.env, notification, channel))
      const rendered = `${message.subject}\n${message.text}\n${message.html ?? ''}`
      expect(rendered, `${event} ${channel}`).not.toContain('{{')
      for (const [, name = ''] of source.matchAll(PLACEHOLDER)) {
        expect(values[name]?.trim(), `${event} ${channel}: {{${name}}}`).toBeTruthy()
        expect(message.subject + message.text, `${event} ${channel}: {{${name}}}`).toContain(values[name])
      }
    }
  })
})
