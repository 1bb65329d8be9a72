/**
 * What a transaction changed that others must act on after it commits: the subscribers whose
 * limit inputs moved (their row's terms, agent, address, login, plan, billing day or auto top-up;
 * a top-up of theirs; their plan's cap). The store's tables report every write here, so no caller
 * can forget to say what it changed.
 */
import type { Order, Plan, Subscriber, TopUp } from './entities.js'
import type { Channel, Delivery } from './notification-entities.js'

/** How one attempt at a delivery ended: `retry` means it failed and is queued again. */
export type DeliveryOutcome = 'sent' | 'retry' | 'failed'

/** What one committed transaction hands on (see Store.onCommit). */
export interface Commit {
  /** Subscribers whose limits may have changed: their agents must hear of it. */
  readonly subscriberIds: readonly string[]
  /**
   * Subscribers whose pages show something that changed though no limit did: an order placed, paid
   * or failed; the balance; a paused auto top-up; their name or contacts. Agents need not hear.
   */
  readonly shownSubscriberIds: readonly string[]
  /** Whether a delivery was queued (or queued again): the notification sender looks at once. */
  readonly deliveriesQueued: boolean
  /** Top-ups the transaction created (sold, bought or automatic), for the metrics. */
  readonly topUpsAdded: readonly TopUp[]
  /** Delivery attempts the transaction recorded an end of, for the metrics. */
  readonly deliveryOutcomes: readonly { channel: Channel; outcome: DeliveryOutcome }[]
  /**
   * Of subscriberIds, those whose row as committed has no auto top-up on (or no row): the rule has
   * nothing to do for them after this commit, and the commit that turns it on names them again.
   * Absent (or from a controller that does not say): any of them may have it.
   */
  readonly withoutAutoTopUp?: readonly string[]
  /** Committed by another Store on the same database (another controller), heard through NOTIFY. */
  readonly remote?: true
}

/** The fields of a subscriber row an agent's copy of its limit is made of. */
const LIMIT_FIELDS = [
  'agentId',
  'login',
  'address',
  'planId',
  'billingDay',
  'limitVersion',
  'limitTerms',
  'autoTopUp',
  'deletedAtMs',
] as const satisfies readonly (keyof Subscriber)[]

/** The fields of a subscriber row its pages show that no limit is made of (usage is told apart). */
const SHOWN_FIELDS = [
  'name',
  'email',
  'phone',
  'postalAddress',
  'balance',
  'autoTopUpDeclined',
] as const satisfies readonly (keyof Subscriber)[]

/** The fields of a plan its subscribers' limits are made of. */
const PLAN_FIELDS = ['capBytes', 'onCap', 'throttleKbps'] as const satisfies readonly (keyof Plan)[]

/** Whether the auto top-up rule may act for this row at all (see runAutoTopUp). */
const autoTopUpOn = (row: Subscriber | undefined) =>
  row?.autoTopUp?.enabled === true && row.deletedAtMs === undefined

function differ<T>(a: T | undefined, b: T | undefined, fields: readonly (keyof T)[]): boolean {
  if (!a || !b) return a !== b
  return fields.some((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
}

/**
 * What a delivery row's change says of an attempt: it was sent, it failed and waits for another
 * try (after a send, or a message that could not be written), or it was given up. A claim
 * (`queued` to `sending`) and a row already ended say nothing.
 */
function attemptOutcome(old: Delivery, row: Delivery): DeliveryOutcome | undefined {
  if (old.status === 'sent' || old.status === 'failed') return undefined
  if (row.status === 'sent' || row.status === 'failed') return row.status
  if (row.status === 'queued' && (old.status === 'sending' || row.attempts > old.attempts)) return 'retry'
  return undefined
}

export class CommitNotes {
  private readonly subscribers = new Set<string>()
  private readonly shown = new Set<string>()
  private deliveriesQueued = false
  private readonly topUpsAdded: TopUp[] = []
  private readonly deliveryOutcomes: { channel: Channel; outcome: DeliveryOutcome }[] = []
  /** Each subscriber row as this transaction last wrote it (undefined: deleted). */
  private readonly written = new Map<string, Subscriber | undefined>()

  constructor(
    /** Every subscriber row, to find those on a plan whose terms change. */
    private readonly allSubscribers: Readonly<Record<string, Subscriber>>,
  ) {}

  get empty(): boolean {
    return (
      this.subscribers.size === 0 &&
      this.shown.size === 0 &&
      !this.deliveriesQueued &&
      this.deliveryOutcomes.length === 0
    )
  }

  commit(): Commit {
    const withoutAutoTopUp = [...this.subscribers].filter(
      (id) => this.written.has(id) && !autoTopUpOn(this.written.get(id)),
    )
    return {
      subscriberIds: [...this.subscribers],
      shownSubscriberIds: [...this.shown],
      deliveriesQueued: this.deliveriesQueued,
      topUpsAdded: [...this.topUpsAdded],
      deliveryOutcomes: [...this.deliveryOutcomes],
      ...(withoutAutoTopUp.length > 0 ? { withoutAutoTopUp } : {}),
    }
  }

  deliveryWritten(old: Delivery | undefined, row: Delivery | undefined): void {
    if (row?.status === 'queued') this.deliveriesQueued = true
    const outcome = old && row && attemptOutcome(old, row)
    if (outcome) this.deliveryOutcomes.push({ channel: row.channel, outcome })
  }

  orderWritten(old: Order | undefined, row: Order | undefined): void {
    for (const order of [old, row]) if (order) this.shown.add(order.subscriberId)
  }

  subscriberWritten(old: Subscriber | undefined, row: Subscriber | undefined): void {
    const id = (row ?? old)?.id
    if (id === undefined) return
    this.written.set(id, row)
    if (differ(old, row, LIMIT_FIELDS)) this.subscribers.add(id)
    if (differ(old, row, SHOWN_FIELDS)) this.shown.add(id)
  }

  topUpWritten(old: TopUp | undefined, row: TopUp | undefined): void {
    if (!old && row) this.topUpsAdded.push(row)
    for (const topUp of [old, row]) if (topUp) this.subscribers.add(topUp.subscriberId)
  }

  planWritten(old: Plan | undefined, row: Plan | undefined): void {
    if (!old || !differ(old, row, PLAN_FIELDS)) return
    for (const sub of Object.values(this.allSubscribers))
      if (sub.planId === old.id) this.subscribers.add(sub.id)
  }
}

/** Who hears of commits. A listener's failure is its own: the commit stands and the others still hear. */
export class CommitListeners {
  private listeners: ((commit: Commit) => void)[] = []

  /** Returns a function that unsubscribes. */
  add(listener: (commit: Commit) => void): () => void {
    this.listeners.push(listener)
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  announce(commit: Commit): void {
    for (const listener of this.listeners) {
      try {
        listener(commit)
      } catch (err) {
        // Thrown where it cannot undo the commit, so it still reaches the process's error handling.
        queueMicrotask(() => {
          throw err
        })
      }
    }
  }
}
