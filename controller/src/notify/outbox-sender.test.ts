/** The outbox sender with a scripted channel: retries, giving up, crashes mid-send and concurrent passes. */
import { memoryLogger } from '@capd/log'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it, vi } from 'vitest'
import { manualClock } from '../clock.js'
import type { DomainEnv } from '../domain/env.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import type { Delivery, Notification } from '../store/entities.js'
import { retryDelayMs } from './backoff.js'
import type { ChannelSender, OutgoingMessage, SendOutcome } from './channel.js'
import { LEASE_MS, OutboxSender } from './outbox-sender.js'
import { newDelivery, RETRY_WINDOW_MS } from './queue.js'
import type { Renderer } from './render.js'

const START = Date.parse('2026-03-10T12:00:00Z')

interface Send {
  deliveryId: string
  attempts: number
  atMs: number
}

/** A channel whose every answer comes from `script`; it remembers each send. */
class ScriptedSender implements ChannelSender {
  readonly channel = 'email' as const
  readonly sends: Send[] = []
  constructor(
    private readonly nowMs: () => number,
    private readonly script: (out: OutgoingMessage, send: Send) => SendOutcome | Promise<SendOutcome>,
  ) {}

  async send(out: OutgoingMessage): Promise<SendOutcome> {
    const send = { deliveryId: out.delivery.id, attempts: out.delivery.attempts, atMs: this.nowMs() }
    this.sends.push(send)
    return this.script(out, send)
  }
}

function outboxWorld() {
  const clock = manualClock(START)
  const data = emptyData()
  const store = new DocumentStore(data, null)
  const env: DomainEnv = {
    clock,
    timeZone: 'UTC',
    currency: 'USD',
    idempotencyTtlMs: 3600_000,
    channels: new Set(['email']),
  }
  const { logger, lines } = memoryLogger()
  const sender = (script: ConstructorParameters<typeof ScriptedSender>[1]) =>
    new ScriptedSender(() => clock.now(), script)
  const outbox = (channel: ChannelSender) => new OutboxSender({ store, env, logger, senders: [channel] })
  /** `count` e-mails due now, one notification each; returns their delivery ids. */
  async function queue(count: number): Promise<string[]> {
    return store.transact(async (tx) => {
      const ids: string[] = []
      for (let i = 0; i < count; i++) {
        const n: Notification = {
          id: `agent.offline/agt_${i}/${clock.now()}`,
          event: 'agent.offline',
          vars: { agent: `tower-${i}` },
          data: {},
          createdAtMs: clock.now(),
        }
        await tx.notifications.insert(n)
        const d = newDelivery(n, 'email', `noc+${i}@isp.example`, clock.now())
        await tx.deliveries.insert(d)
        ids.push(d.id)
      }
      return ids
    })
  }
  const row = (id: string): Delivery => data.deliveries[id]!
  return { clock, data, store, env, lines, sender, outbox, queue, row }
}

describe('OutboxSender', () => {
  it('retries a failed send on the backoff schedule, never early, and records the success', async () => {
    const w = outboxWorld()
    const [id] = await w.queue(1)
    const failures = 4
    const channel = w.sender((_, s) =>
      s.attempts <= failures
        ? { ok: false, error: `451 busy #${s.attempts}`, retry: true }
        : { ok: true, ref: 'msg-1' },
    )
    const outbox = w.outbox(channel)
    const expectedTimes = [START]
    for (let k = 1; k <= failures; k++) expectedTimes.push(expectedTimes[k - 1]! + retryDelayMs(k))

    expect(await outbox.pass()).toBe(1)
    for (let k = 1; k <= failures; k++) {
      expect(w.row(id!)).toMatchObject({ status: 'queued', attempts: k, lastError: `451 busy #${k}` })
      expect(w.row(id!).nextAttemptAtMs).toBe(expectedTimes[k])
      w.clock.set(expectedTimes[k]! - 1)
      expect(await outbox.pass()).toBe(0)
      w.clock.set(expectedTimes[k]!)
      expect(await outbox.pass()).toBe(1)
    }
    expect(channel.sends.map((s) => s.atMs)).toEqual(expectedTimes)
    expect(w.row(id!)).toMatchObject({ status: 'sent', attempts: failures + 1, providerRef: 'msg-1' })
    expect(w.row(id!).lastError).toBeUndefined()
    w.clock.advance(RETRY_WINDOW_MS)
    expect(await outbox.pass()).toBe(0)
  })

  it('fails at once on an answer that will not change, and never sends it again', async () => {
    const w = outboxWorld()
    const [id] = await w.queue(1)
    const channel = w.sender(() => ({ ok: false, error: '550 5.1.1 No such user', retry: false }))
    const outbox = w.outbox(channel)
    await outbox.pass()
    expect(w.row(id!)).toMatchObject({ status: 'failed', attempts: 1, lastError: '550 5.1.1 No such user' })
    for (let i = 0; i < 5; i++) {
      w.clock.advance(3600_000)
      await outbox.pass()
    }
    expect(channel.sends).toHaveLength(1)
  })

  it('ends failed with its last error once its day is up, with no attempt after it', async () => {
    const w = outboxWorld()
    const [id] = await w.queue(1)
    const channel = w.sender((_, s) => ({
      ok: false,
      error: `connect ECONNREFUSED #${s.attempts}`,
      retry: true,
    }))
    const outbox = w.outbox(channel)
    // Attempt k+1 happens when attempt k's retry time is still inside the window.
    let expected = 1
    for (let t = START; t + retryDelayMs(expected) <= START + RETRY_WINDOW_MS; expected++) {
      t += retryDelayMs(expected)
    }
    for (let i = 0; i < 200 && w.row(id!).status === 'queued'; i++) {
      w.clock.set(w.row(id!).nextAttemptAtMs)
      await outbox.pass()
    }
    const final = w.row(id!)
    expect(final.status).toBe('failed')
    expect(channel.sends).toHaveLength(expected)
    expect(final.attempts).toBe(expected)
    expect(final.lastError).toBe(`connect ECONNREFUSED #${expected}`)
    expect(Math.max(...channel.sends.map((s) => s.atMs))).toBeLessThanOrEqual(final.giveUpAtMs)
  })

  it('fails a delivery still queued when its day ran out (the controller was down), keeping its last error', async () => {
    const w = outboxWorld()
    const [id] = await w.queue(1)
    const channel = w.sender(() => ({ ok: false, error: '421 try later', retry: true }))
    const outbox = w.outbox(channel)
    await outbox.pass()
    w.clock.set(START + RETRY_WINDOW_MS + 1)
    expect(await outbox.pass()).toBe(0)
    expect(w.row(id!)).toMatchObject({ status: 'failed', attempts: 1, lastError: '421 try later' })
    expect(channel.sends).toHaveLength(1)
  })

  it('sends the rest of the outbox when one message cannot be written, and retries that one later', async () => {
    const w = outboxWorld()
    const ids = await w.queue(5)
    const { logger } = memoryLogger()
    const broken = new Set([w.row(ids[2]!).notificationId])
    const render: Renderer = async (_tx, _env, n) => {
      if (broken.has(n.id)) throw new TypeError("Cannot read properties of undefined (reading 'email')")
      return { subject: n.event, text: JSON.stringify(n.vars) }
    }
    const channel = w.sender(() => ({ ok: true }))
    const outbox = new OutboxSender({ store: w.store, env: w.env, logger, senders: [channel], render })
    expect(await outbox.pass()).toBe(4)
    expect(channel.sends.map((s) => s.deliveryId).sort()).toEqual(ids.filter((_, i) => i !== 2).sort())
    const bad = w.row(ids[2]!)
    expect(bad).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAtMs: START + retryDelayMs(1) })
    expect(bad.lastError).toContain("reading 'email'")
    // Once it can be written again (the template fixed), it goes out on its retry.
    broken.clear()
    w.clock.set(bad.nextAttemptAtMs)
    expect(await outbox.pass()).toBe(1)
    expect(w.row(ids[2]!)).toMatchObject({ status: 'sent', attempts: 2 })
    expect(channel.sends).toHaveLength(5)
  })

  it('sends again, once, a delivery whose sender crashed mid-send, after its lease; the lost answer changes nothing', async () => {
    const w = outboxWorld()
    const [id] = await w.queue(1)
    let answerLost: (outcome: SendOutcome) => void = () => {}
    const crashed = w.sender(() => new Promise<SendOutcome>((resolve) => (answerLost = resolve)))
    void w.outbox(crashed).pass()
    await vi.waitFor(() => expect(crashed.sends).toHaveLength(1))
    expect(w.row(id!)).toMatchObject({ status: 'sending', attempts: 1 })

    // The restarted controller: a new sender over the same store.
    const channel = w.sender(() => ({ ok: true, ref: 'second' }))
    const restarted = w.outbox(channel)
    expect(await restarted.pass()).toBe(0)
    w.clock.advance(LEASE_MS - 1)
    expect(await restarted.pass()).toBe(0)
    w.clock.advance(1)
    expect(await restarted.pass()).toBe(1)
    expect(w.row(id!)).toMatchObject({ status: 'sent', attempts: 2, providerRef: 'second' })
    // Same delivery id both times: the far end can tell it is a repeat (the e-mail's Message-ID).
    expect(channel.sends[0]!.deliveryId).toBe(crashed.sends[0]!.deliveryId)

    answerLost({ ok: false, error: 'late', retry: true })
    await new Promise((r) => setTimeout(r, 10))
    for (let i = 0; i < 3; i++) {
      w.clock.advance(LEASE_MS)
      await restarted.pass()
    }
    expect(channel.sends).toHaveLength(1)
    expect(w.row(id!)).toMatchObject({ status: 'sent', attempts: 2, providerRef: 'second' })
    expect(w.row(id!).lastError).toBeUndefined()
  })

  it.each([1, 2, 3, 4])(
    'never has one delivery in flight twice under a lease, however passes and kicks interleave (seed %i)',
    async (seed) => {
      const w = outboxWorld()
      const rnd = seededRandom(seed)
      const ids = await w.queue(450)
      const inFlight = new Map<string, number>()
      const outcomes = new Map<string, SendOutcome>()
      const problems: string[] = []
      const script = async (out: OutgoingMessage, s: Send): Promise<SendOutcome> => {
        const key = `${s.deliveryId}#${s.attempts}`
        if (outcomes.has(key)) problems.push(`${key} sent twice`)
        const leaseEnd = inFlight.get(s.deliveryId)
        if (leaseEnd !== undefined && s.atMs < leaseEnd) {
          problems.push(`${s.deliveryId} sent while its earlier send is in flight under its lease`)
        }
        const stored = w.row(out.delivery.id)
        if (stored.status !== 'sending' || stored.attempts !== s.attempts) {
          problems.push(`${key} sent but the store says ${stored.status} #${stored.attempts}`)
        }
        inFlight.set(s.deliveryId, out.delivery.nextAttemptAtMs)
        const roll = rnd.next()
        const outcome: SendOutcome =
          roll < 0.7
            ? { ok: true, ref: `ref-${key}` }
            : roll < 0.9
              ? { ok: false, error: `later ${key}`, retry: true }
              : { ok: false, error: `never ${key}`, retry: false }
        outcomes.set(key, outcome)
        await new Promise((r) => setTimeout(r, rnd.int(0, 3)))
        inFlight.delete(s.deliveryId)
        return outcome
      }
      const a = w.outbox(w.sender(script))
      const b = w.outbox(w.sender(script))
      const running: Promise<unknown>[] = []
      for (let step = 0; step < 300; step++) {
        const action = rnd.int(0, 5)
        if (action === 0) a.kick()
        else if (action === 1) b.kick()
        else if (action === 2) running.push(a.pass())
        else if (action === 3) w.clock.advance(rnd.int(0, 90_000))
        else if (action === 4 && rnd.next() < 0.1) w.clock.advance(LEASE_MS + rnd.int(0, 60_000))
        await new Promise((r) => setTimeout(r, rnd.int(0, 2)))
      }
      await Promise.all(running)
      await Promise.all([a.idle(), b.idle()])
      for (let i = 0; i < 500; i++) {
        const open = Object.values(w.data.deliveries).filter(
          (d) => d.status === 'queued' || d.status === 'sending',
        )
        if (open.length === 0) break
        w.clock.set(Math.max(w.clock.now(), Math.min(...open.map((d) => d.nextAttemptAtMs))))
        await a.pass()
      }

      expect(problems).toEqual([])
      for (const id of ids) {
        const d = w.row(id)
        // A claim that waited past its lease is claimed again unsent: attempts may exceed sends.
        const sent = [...outcomes.keys()].filter((k) => k.startsWith(`${id}#`))
        expect(sent.length, id).toBeGreaterThan(0)
        expect(sent.length, id).toBeLessThanOrEqual(d.attempts)
        const lastSent = Math.max(...sent.map((k) => Number(k.split('#')[1])))
        const last = outcomes.get(`${id}#${lastSent}`)!
        if (d.status === 'sent') {
          expect(last.ok, id).toBe(true)
          expect(d.providerRef, id).toBe(last.ok && last.ref)
          expect(lastSent, id).toBe(d.attempts)
        } else {
          expect(d.status, id).toBe('failed')
          expect(last.ok, id).toBe(false)
          expect(d.lastError, id).toBe(!last.ok && last.error)
        }
      }
    },
  )
})
