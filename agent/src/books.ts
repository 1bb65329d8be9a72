/** The agent's own view of each subscriber: limits from the controller, usage it counted, what to enforce. */
import type { SubscriberLimit } from '@capd/protocol'
import type { EnforcementState, SubscriberRule } from './drivers/driver.js'
import { freeFrom } from './free-time.js'
import type { Book } from './state/checkpoint.js'

/**
 * Takes a limit pushed by the controller. A lower limitVersion than the one held is stale and
 * ignored. Usage: the controller only knows what the agent sent, so within one period the agent's
 * own count is at least as fresh; the larger of the two wins (the controller's is larger only
 * after this agent lost its state).
 */
export function takeLimit(book: Book | undefined, limit: SubscriberLimit): Book | undefined {
  if (book && limit.limitVersion < book.limit.limitVersion) return undefined
  if (!book) {
    return {
      limit,
      periodStart: limit.periodStart,
      periodEnd: limit.periodEnd,
      usedBytes: limit.usedBytes,
      applied: 'open',
    }
  }
  let usedBytes: number
  if (limit.periodStart === book.periodStart) usedBytes = Math.max(book.usedBytes, limit.usedBytes)
  else if (limit.periodStart > book.periodStart) usedBytes = limit.usedBytes
  else usedBytes = book.usedBytes // the controller is behind a period the agent already moved to
  const periodStart = limit.periodStart > book.periodStart ? limit.periodStart : book.periodStart
  const periodEnd = periodStart === limit.periodStart ? limit.periodEnd : book.periodEnd
  // A spent router quota says nothing about a larger limit or a new period.
  const quotaSpent =
    book.quotaSpent && limit.limitBytes <= book.limit.limitBytes && periodStart === book.periodStart
  return { ...book, limit, periodStart, periodEnd, usedBytes, quotaSpent }
}

/**
 * Moves a book into the period containing `nowMs` when its period has ended and the controller has
 * not said so yet: usage restarts, and the last known limit carries over until the controller sends
 * one. Periods keep the last one's length; the number of periods skipped is computed, not stepped,
 * so a tiny period dated long ago costs no more than a month does.
 */
export function rollPeriod(book: Book, nowMs: number): Book {
  const startMs = Date.parse(book.periodStart)
  const endMs = Date.parse(book.periodEnd)
  if (nowMs < endMs) return book
  const lengthMs = endMs - startMs
  if (!(lengthMs > 0)) return book // the protocol refuses such a period; never divide by it
  const skipped = Math.floor((nowMs - endMs) / lengthMs) + 1
  const periodStartMs = startMs + skipped * lengthMs
  return {
    ...book,
    periodStart: new Date(periodStartMs).toISOString(),
    periodEnd: new Date(periodStartMs + lengthMs).toISOString(),
    usedBytes: 0,
    quotaSpent: false,
  }
}

export function remainingBytes(book: Book): number {
  return Math.max(0, book.limit.limitBytes - book.usedBytes)
}

/**
 * What the router should do for a book as of `atMs` (omitted: no free hours considered). Inside a
 * free window nothing is drawn, so nothing is held back: a blocked or throttled subscriber is open.
 */
export function desiredState(book: Book, atMs?: number): EnforcementState {
  if (atMs !== undefined && freeFrom(book.limit, atMs)) return 'open'
  if (book.limit.onCap === 'block')
    return book.usedBytes >= book.limit.limitBytes || book.quotaSpent ? 'blocked' : 'open'
  return book.usedBytes >= book.limit.limitBytes ? 'throttled' : 'open'
}

/**
 * What the router should do for a book as of `atMs`; in observe mode, never anything but open.
 * Inside a free window there is no kernel quota either; the reading at the window's end brings it
 * back with what is left.
 */
export function ruleFor(subscriberId: string, book: Book, observe: boolean, atMs?: number): SubscriberRule {
  const free = atMs !== undefined && freeFrom(book.limit, atMs)
  const state = observe ? 'open' : desiredState(book, atMs)
  const rule: SubscriberRule = { subscriberId, state }
  if (book.limit.address !== undefined) rule.address = book.limit.address
  if (book.limit.login) rule.login = book.limit.login
  const { throttleKbps, throttleUpKbps, count } = book.limit
  if (state === 'throttled' && throttleKbps) {
    rule.throttleKbps = throttleKbps
    if (throttleUpKbps) rule.throttleUpKbps = throttleUpKbps
  }
  if (!observe && !free && book.limit.onCap === 'block') {
    rule.remainingBytes = BigInt(remainingBytes(book))
    // The kernel quota spends the allowance in the same direction(s) the books draw from.
    if (count && count !== 'both') rule.count = count
  }
  return rule
}
