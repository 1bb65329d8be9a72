/**
 * Commits told to the other controllers on the same database through LISTEN/NOTIFY: each commit is
 * sent (inside its transaction, so only if it commits) as one or more payloads under PostgreSQL's
 * 8000-byte limit, each a whole Commit of its own.
 */
import type { Commit } from '../commit-notes.js'

export const CHANNEL = 'capd_commit'
/** Under NOTIFY's 8000 bytes, with room for the envelope. */
const MAX_PAYLOAD_BYTES = 7000

interface Envelope {
  /** The store instance that committed (its own payloads are not handed on twice). */
  o: string
  c: Commit
}

/**
 * A commit as sent: with the shown subscribers also under `orderSubscriberIds`, the name the
 * earlier version reads (and requires: it would throw on a commit without it), so controllers of
 * both versions can share a database during an upgrade.
 */
type WireCommit = Commit & { orderSubscriberIds: readonly string[] }

const emptyCommit = (): {
  subscriberIds: string[]
  shownSubscriberIds: string[]
  orderSubscriberIds: string[]
  deliveriesQueued: boolean
  topUpsAdded: Commit['topUpsAdded'][number][]
  deliveryOutcomes: Commit['deliveryOutcomes'][number][]
  withoutAutoTopUp: string[]
} => ({
  subscriberIds: [],
  shownSubscriberIds: [],
  orderSubscriberIds: [],
  deliveriesQueued: false,
  topUpsAdded: [],
  deliveryOutcomes: [],
  withoutAutoTopUp: [],
})

/** The payloads that carry `commit` from `origin`, each at most MAX_PAYLOAD_BYTES. */
export function commitPayloads(origin: string, commit: Commit, maxBytes = MAX_PAYLOAD_BYTES): string[] {
  const wire: WireCommit = { ...commit, orderSubscriberIds: commit.shownSubscriberIds }
  const whole = JSON.stringify({ o: origin, c: wire } satisfies Envelope)
  if (Buffer.byteLength(whole) <= maxBytes) return [whole]
  const payloads: string[] = []
  let part = emptyCommit()
  part.deliveriesQueued = commit.deliveriesQueued
  let size = Buffer.byteLength(JSON.stringify({ o: origin, c: part }))
  const base = size
  const items: (readonly [keyof ReturnType<typeof emptyCommit>, unknown])[] = [
    ...commit.subscriberIds.map((v) => ['subscriberIds', v] as const),
    ...commit.shownSubscriberIds.map((v) => ['shownSubscriberIds', v] as const),
    ...commit.shownSubscriberIds.map((v) => ['orderSubscriberIds', v] as const),
    ...commit.topUpsAdded.map((v) => ['topUpsAdded', v] as const),
    ...commit.deliveryOutcomes.map((v) => ['deliveryOutcomes', v] as const),
    ...(commit.withoutAutoTopUp ?? []).map((v) => ['withoutAutoTopUp', v] as const),
  ]
  for (const [key, value] of items) {
    const bytes = Buffer.byteLength(JSON.stringify(value)) + 1
    if (size + bytes > maxBytes && size > base) {
      payloads.push(JSON.stringify({ o: origin, c: part }))
      part = emptyCommit()
      size = base
    }
    ;(part[key] as unknown[]).push(value)
    size += bytes
  }
  payloads.push(JSON.stringify({ o: origin, c: part }))
  return payloads
}

/** The commit in a payload and who sent it, or undefined for one that is not ours to read. */
export function readPayload(payload: string | undefined): Envelope | undefined {
  if (!payload) return undefined
  try {
    const e = JSON.parse(payload) as { o?: unknown; c?: Partial<Commit> & { orderSubscriberIds?: string[] } }
    if (typeof e.o !== 'string' || !e.c || !Array.isArray(e.c.subscriberIds)) return undefined
    // A controller of an earlier version names only the owners of changed orders, under their old name.
    const { orderSubscriberIds, ...c } = e.c
    const list = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : [])
    return {
      o: e.o,
      c: {
        ...c,
        subscriberIds: c.subscriberIds,
        shownSubscriberIds: list(c.shownSubscriberIds ?? orderSubscriberIds),
        deliveriesQueued: c.deliveriesQueued === true,
        topUpsAdded: list(c.topUpsAdded),
        deliveryOutcomes: list(c.deliveryOutcomes),
      } as Commit,
    }
  } catch {
    return undefined
  }
}
