/**
 * Sends the outbox. A delivery is claimed in a transaction (status `sending`, attempt counted,
 * a lease as its next attempt), rendered there, sent outside any transaction, and its outcome
 * recorded in another: sent, queued again with backoff, or failed once its day is up. A crash
 * between the send and the record leaves a `sending` row whose lease ends, so it is sent again
 * — with the same delivery id (the e-mail's Message-ID, the webhook's X-Capd-Delivery), which
 * lets the far end see the repeat. Nothing is sent from inside a transaction.
 */
import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import type { Channel, Delivery } from '../store/entities.js'
import { runJobOnce } from '../store/job-once.js'
import type { Store, Tx } from '../store/store.js'
import { retryDelayMs } from './backoff.js'
import type { ChannelSender, OutgoingMessage, RenderedMessage, SendOutcome } from './channel.js'
import { type Renderer, renderMessage } from './render.js'

/** A send not recorded within this is taken as lost (the process died) and tried again. */
export const LEASE_MS = 5 * 60_000
/** Deliveries claimed per transaction. */
const BATCH = 200
/** Sends in flight at once. */
const CONCURRENCY = 8
/** Retries and leases are looked at this often even when no commit queued anything. */
const TICK_MS = 5_000
/** What of an error text is kept in the delivery log. */
const ERROR_MAX = 500

export interface OutboxSenderOptions {
  store: Store
  env: DomainEnv
  logger: Logger
  senders: readonly ChannelSender[]
  render?: Renderer
}

export class OutboxSender {
  private readonly senders: Map<Channel, ChannelSender>
  private readonly render: Renderer
  private running: Promise<void> | undefined
  private again = false
  private timer: ReturnType<typeof setInterval> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly options: OutboxSenderOptions) {
    this.senders = new Map(options.senders.map((s) => [s.channel, s]))
    this.render = options.render ?? renderMessage
  }

  /** Sends whatever is due now and whenever a commit queues more; retries on a timer. */
  start(): void {
    this.unsubscribe = this.options.store.onCommit((commit) => {
      if (commit.deliveriesQueued) this.kick()
    })
    this.timer = setInterval(() => this.kick(), TICK_MS)
    this.timer.unref()
    this.kick()
  }

  stop(): void {
    clearInterval(this.timer)
    this.unsubscribe?.()
    for (const sender of this.senders.values()) sender.close?.()
  }

  /** Starts a pass, or asks the running one to look again when it ends. */
  kick(): void {
    if (this.running) {
      this.again = true
      return
    }
    // One controller sends at a time; another's commits reach this one's listener as well.
    this.running = runJobOnce(this.options.store, 'outbox', () => this.passes())
      .then(() => {})
      .catch((err: Error) => this.options.logger.warn({ err }, 'notification sending failed; trying again'))
      .finally(() => {
        this.running = undefined
      })
  }

  /** Resolves once no pass is running (tests wait on it after a commit). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  private async passes(): Promise<void> {
    do {
      this.again = false
      await this.pass()
    } while (this.again)
  }

  /** Sends every delivery due now, batch after batch; returns how many were attempted. */
  async pass(): Promise<number> {
    let total = 0
    for (;;) {
      const claimed = await this.claim()
      total += claimed.length
      await this.sendAll(claimed)
      if (claimed.length < BATCH) return total
    }
  }

  private async claim(): Promise<OutgoingMessage[]> {
    const { store, env } = this.options
    return store.transact(async (tx) => {
      const nowMs = env.clock.now()
      const out: OutgoingMessage[] = []
      for (const due of await tx.deliveries.due(nowMs, BATCH)) {
        const claimed = await this.claimOne(tx, due, nowMs)
        if (claimed) out.push(claimed)
      }
      return out
    })
  }

  private async claimOne(tx: Tx, due: Delivery, nowMs: number): Promise<OutgoingMessage | undefined> {
    const fail = (lastError: string) =>
      tx.deliveries.update({ ...due, status: 'failed', lastError, nextAttemptAtMs: nowMs })
    if (nowMs > due.giveUpAtMs) {
      await fail(due.lastError ?? 'not sent within its retry window')
      return undefined
    }
    if (!this.senders.has(due.channel)) {
      await fail(`no ${due.channel} channel is configured`)
      return undefined
    }
    const notification = await tx.notifications.get(due.notificationId)
    if (!notification) {
      await fail('its notification was forgotten')
      return undefined
    }
    const endpoint = due.channel === 'webhook' ? await tx.webhookEndpoints.get(due.to) : undefined
    if (due.channel === 'webhook' && !endpoint?.enabled) {
      await fail('the webhook endpoint was removed or disabled')
      return undefined
    }
    const attempts = due.attempts + 1
    let message: RenderedMessage
    try {
      message = await this.render(tx, this.options.env, notification, due.channel)
    } catch (err) {
      // One message that cannot be written (a template or stored figures it cannot read) must not
      // roll back the whole claim: the rest of the outbox would never be sent. It is an attempt
      // that failed, retried like a refused send, so a fix within its day still gets it out.
      await this.unwritten(tx, due, attempts, nowMs, err as Error)
      return undefined
    }
    const delivery: Delivery = {
      ...due,
      status: 'sending',
      attempts,
      lastAttemptAtMs: nowMs,
      nextAttemptAtMs: nowMs + LEASE_MS,
    }
    await tx.deliveries.update(delivery)
    return { delivery, notification, message, ...(endpoint ? { endpoint } : {}) }
  }

  private async unwritten(tx: Tx, due: Delivery, attempts: number, nowMs: number, err: Error): Promise<void> {
    const lastError = `the message could not be written: ${err.message}`.slice(0, ERROR_MAX)
    const retryAtMs = nowMs + retryDelayMs(attempts)
    const again = retryAtMs <= due.giveUpAtMs
    await tx.deliveries.update({
      ...due,
      status: again ? 'queued' : 'failed',
      attempts,
      lastAttemptAtMs: nowMs,
      lastError,
      nextAttemptAtMs: again ? retryAtMs : nowMs,
    })
    this.options.logger
      .child({ deliveryId: due.id, channel: due.channel, event: due.event })
      .warn({ err, attempts }, 'notification message could not be written')
  }

  private async sendAll(messages: OutgoingMessage[]): Promise<void> {
    let next = 0
    const worker = async () => {
      while (next < messages.length) {
        const out = messages[next++]!
        // A claim whose lease ran out while it waited its turn (a slow relay, a long batch) may
        // have been taken again since: it is left to be claimed afresh rather than sent twice.
        if (this.options.env.clock.now() >= out.delivery.nextAttemptAtMs) continue
        await this.record(out.delivery, await this.sendOne(out))
      }
    }
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, messages.length) }, worker))
  }

  private async sendOne(out: OutgoingMessage): Promise<SendOutcome> {
    try {
      return await this.senders.get(out.delivery.channel)!.send(out)
    } catch (err) {
      return { ok: false, error: (err as Error).message, retry: true }
    }
  }

  private async record(claimed: Delivery, outcome: SendOutcome): Promise<void> {
    const { store, env, logger } = this.options
    const log = logger.child({ deliveryId: claimed.id, channel: claimed.channel, event: claimed.event })
    await store.transact(async (tx) => {
      const row = await tx.deliveries.get(claimed.id)
      // Forgotten, or taken again after the lease ran out: that attempt records its own outcome.
      if (row?.status !== 'sending' || row.attempts !== claimed.attempts) return
      const nowMs = env.clock.now()
      if (outcome.ok) {
        const { lastError: _, ...rest } = row
        await tx.deliveries.update({
          ...rest,
          status: 'sent',
          sentAtMs: nowMs,
          nextAttemptAtMs: nowMs,
          ...(outcome.ref ? { providerRef: outcome.ref } : {}),
        })
        return
      }
      const lastError = outcome.error.slice(0, ERROR_MAX)
      const retryAtMs = nowMs + retryDelayMs(row.attempts)
      if (outcome.retry && retryAtMs <= row.giveUpAtMs) {
        await tx.deliveries.update({ ...row, status: 'queued', lastError, nextAttemptAtMs: retryAtMs })
        log.info({ attempts: row.attempts, error: lastError }, 'notification not delivered; will retry')
      } else {
        await tx.deliveries.update({ ...row, status: 'failed', lastError, nextAttemptAtMs: nowMs })
        log.warn({ attempts: row.attempts, error: lastError }, 'notification failed for good')
      }
    })
  }
}
