/**
 * The one LISTEN connection of a store: hands other controllers' commits to this one's listeners.
 * When the connection drops and comes back, what was notified in between is lost: the listeners
 * are then handed a commit naming every live subscriber, so every agent is synced again.
 */
import pg from 'pg'
import type { Commit } from '../commit-notes.js'
import { CHANNEL, readPayload } from './commit-notify.js'

/** A database that does not answer the connect in this long is down for now: try again later. */
const CONNECT_TIMEOUT_MS = 10_000

export interface CommitListenerOptions {
  url: string
  /** This store's id: its own commits were announced when they committed. */
  origin: string
  announce(commit: Commit): void
  /** Every live subscriber's id (asked after a reconnect). */
  liveSubscriberIds(): Promise<string[]>
  warn(message: string): void
  /** First wait before reconnecting; doubles up to 30 s. */
  retryMs?: number
}

export class CommitListener {
  private client: pg.Client | undefined
  private closed = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private lost = false

  constructor(private readonly options: CommitListenerOptions) {}

  /** Connects; throws when the first connection fails (the store does not open without it). */
  async start(): Promise<void> {
    await this.connect()
  }

  /** Ends the connection as a network failure would (tests). */
  dropConnection(): void {
    const client = this.client
    ;(client as unknown as { connection?: { stream?: { destroy(): void } } })?.connection?.stream?.destroy()
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    await this.client?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // LISTEN itself answers at once; one that hangs fails this attempt instead of the listener.
      query_timeout: CONNECT_TIMEOUT_MS,
    })
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL) return
      const envelope = readPayload(msg.payload)
      if (envelope && envelope.o !== this.options.origin)
        this.options.announce({ ...envelope.c, remote: true })
    })
    client.on('error', () => this.onLost(client))
    client.on('end', () => this.onLost(client))
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
    } catch (err) {
      // Not kept: its socket and its handlers go, or every failed retry would leave one behind.
      await client.end().catch(() => {})
      throw err
    }
    this.client = client
  }

  private onLost(client: pg.Client, waitMs = this.options.retryMs ?? 500): void {
    if (this.closed || this.client !== client) return
    this.client = undefined
    this.lost = true
    this.options.warn(
      'lost the LISTEN connection to PostgreSQL: reconnecting; other controllers’ commits may be missed',
    )
    this.retry(waitMs)
  }

  private retry(waitMs: number): void {
    this.timer = setTimeout(async () => {
      if (this.closed) return
      try {
        await this.connect()
      } catch {
        this.retry(Math.min(waitMs * 2, 30_000))
        return
      }
      if (this.closed) {
        await this.client?.end().catch(() => {})
        return
      }
      if (this.lost) {
        this.lost = false
        try {
          const ids = await this.options.liveSubscriberIds()
          this.options.warn(
            `LISTEN connection back: commits of other controllers may have been missed, re-syncing all ${ids.length} live subscribers`,
          )
          this.options.announce({
            subscriberIds: ids,
            shownSubscriberIds: [],
            deliveriesQueued: true,
            topUpsAdded: [],
            deliveryOutcomes: [],
            remote: true,
          })
        } catch (err) {
          this.options.warn(
            `could not list subscribers to re-sync after a reconnect: ${(err as Error).message}`,
          )
        }
      }
    }, waitMs)
    this.timer.unref()
  }
}
