/** The `state` messages the agent reports: what it applies at the router for each subscriber, batched. */
import { type AgentMessage, MAX_STATE_ENTRIES, PROTOCOL_VERSION } from '@capd/protocol'
import type { Book } from './state/checkpoint.js'

/** One `state` message per MAX_STATE_ENTRIES subscribers, so a sync of thousands is a few messages. */
export function stateMessages(
  books: ReadonlyMap<string, Book>,
  subscriberIds: readonly string[],
  atMs: number,
): AgentMessage[] {
  const states = subscriberIds.flatMap((subscriberId) => {
    const book = books.get(subscriberId)
    if (!book) return []
    const { applied: state, usedBytes } = book
    return [{ subscriberId, state, limitVersion: book.limit.limitVersion, usedBytes }]
  })
  const messages: AgentMessage[] = []
  for (let i = 0; i < states.length; i += MAX_STATE_ENTRIES) {
    const subscribers = states.slice(i, i + MAX_STATE_ENTRIES)
    messages.push({ v: PROTOCOL_VERSION, type: 'state', atMs, subscribers })
  }
  return messages
}
