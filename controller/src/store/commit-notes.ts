/**
 * What a transaction changed that others must act on after it commits: the subscribers whose
 * limit inputs moved (their row's terms, agent, address, login, plan, billing day or auto top-up;
 * a top-up of theirs; their plan's cap). The store's tables report every write here, so no caller
 * can forget to say what it changed.
 */
import type { Delivery, Order, Plan, Subscriber, TopUp } from './entities.js'

/** What one committed transaction hands on (see Store.onCommit). */
export interface Commit {
  /** Subscribers whose limits may have changed: their agents must hear of it. */
  readonly subscriberIds: readonly string[]
  /** Subscribers whose orders changed (placed, paid, failed): their pages show it; agents need not hear. */
  readonly orderSubscriberIds: readonly string[]
  /** Whether a delivery was queued (or queued again): the notification sender looks at once. */
  readonly deliveriesQueued: boolean
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

/** The fields of a plan its subscribers' limits are made of. */
const PLAN_FIELDS = ['capBytes', 'onCap', 'throttleKbps'] as const satisfies readonly (keyof Plan)[]

function differ<T>(a: T | undefined, b: T | undefined, fields: readonly (keyof T)[]): boolean {
  if (!a || !b) return a !== b
  return fields.some((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
}

export class CommitNotes {
  private readonly subscribers = new Set<string>()
  private readonly orderOwners = new Set<string>()
  private deliveriesQueued = false

  constructor(
    /** Every subscriber row, to find those on a plan whose terms change. */
    private readonly allSubscribers: Readonly<Record<string, Subscriber>>,
  ) {}

  get empty(): boolean {
    return this.subscribers.size === 0 && this.orderOwners.size === 0 && !this.deliveriesQueued
  }

  commit(): Commit {
    return {
      subscriberIds: [...this.subscribers],
      orderSubscriberIds: [...this.orderOwners],
      deliveriesQueued: this.deliveriesQueued,
    }
  }

  deliveryWritten(row: Delivery | undefined): void {
    if (row?.status === 'queued') this.deliveriesQueued = true
  }

  orderWritten(old: Order | undefined, row: Order | undefined): void {
    for (const order of [old, row]) if (order) this.orderOwners.add(order.subscriberId)
  }

  subscriberWritten(old: Subscriber | undefined, row: Subscriber | undefined): void {
    const id = (row ?? old)?.id
    if (id !== undefined && differ(old, row, LIMIT_FIELDS)) this.subscribers.add(id)
  }

  topUpWritten(old: TopUp | undefined, row: TopUp | undefined): void {
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
