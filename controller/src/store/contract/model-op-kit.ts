/** What every random operation of the model-based contract test is made of, and the value pools they draw from. */
import type { Random } from '@capd/protocol/testing'
import type { DeliveryOutcome } from '../commit-notes.js'
import type { Channel } from '../entities.js'
import type { Tx } from '../store.js'
import type { ModelState } from './model.js'

export type Expectation = { value: unknown } | { refused: RegExp } | { check: (actual: unknown) => void }

/** What the model learnt of the running transaction's writes, to check what its commit hands on. */
export interface TxNotes {
  /** Subscribers written with a change of their limit inputs (a commit may hand on only these). */
  limitWrites: Set<string>
  topUpsAdded: string[]
  /** Deliveries written `queued` at some point (a commit must say it queued one if one still is). */
  queued: Set<string>
  /** Attempts ended, in write order (see Commit.deliveryOutcomes). */
  outcomes: { channel: Channel; outcome: DeliveryOutcome }[]
}

export const freshNotes = (): TxNotes => ({
  limitWrites: new Set(),
  topUpsAdded: [],
  queued: new Set(),
  outcomes: [],
})

export interface Op {
  label: string
  run(tx: Tx): Promise<unknown>
  expect(m: ModelState, notes: TxNotes): Expectation
}

/** Ids that sort differently by bytes than by a locale's collation. */
export const SUBSCRIBER_IDS = ['sub_a', 'sub_B', 'sub-c', 'sub_a1', 'SUB_d', 'sub_0', 'sub_Z9', 'sub_b']
export const AGENTS = ['agt_1', 'agt_2']

/** A write the model applies; it answers nothing. */
export const done = (apply: () => unknown): Expectation => {
  apply()
  return { value: undefined }
}

export const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!
export const maybe = <T>(r: Random, p: number, x: () => T): T | undefined => (r.next() < p ? x() : undefined)
/** Random case, so case-insensitive reads are tested. */
export const recase = (r: Random, s: string) =>
  [...s].map((c) => (r.next() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('')

/** Clocks that only go forward, as the controller's do. */
export interface Clocks {
  auditSeq: number
  auditMs: number
  nowMs: number
  topUpSeq: number
}
