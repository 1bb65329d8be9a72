/**
 * A server-sent event stream of changes: `event: change` at most once per `intervalMs` (a busy
 * agent reports every second; pages only need to know that something changed), and a comment
 * every 25 s so proxies keep the connection open. Each viewer holds a few streams at most.
 */
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ApiError } from '../errors.js'
import type { Change, ChangeFeed } from './change-feed.js'

/** Live pages a viewer may have open at once (tabs, devices); more would only cost the controller. */
export const MAX_STREAMS_PER_VIEWER = 4

export interface ChangeStreamOptions {
  /** Which changes this viewer may hear of (a customer: only their own). */
  filter: (change: Change) => boolean
  /** Who is watching (a subscriber, an operator session): past `maxStreams` of theirs open, 429. */
  viewer: string
  maxStreams?: number
  intervalMs?: number
  keepAliveMs?: number
}

export function changeStream(c: Context, feed: ChangeFeed, options: ChangeStreamOptions): Response {
  const intervalMs = options.intervalMs ?? 1000
  const keepAliveMs = options.keepAliveMs ?? 25_000
  const maxStreams = options.maxStreams ?? MAX_STREAMS_PER_VIEWER
  // Subscribed (and counted) before answering, so parallel opens cannot all slip past the limit.
  let heard: (change: Change) => void = () => {}
  const unsubscribe = feed.subscribeAs(options.viewer, maxStreams, (change) => heard(change))
  if (!unsubscribe) {
    throw new ApiError(429, 'too_many_streams', `at most ${maxStreams} live pages at once: close one first`)
  }
  c.header('Cache-Control', 'no-store')
  c.header('X-Accel-Buffering', 'no')
  return streamSSE(c, async (stream) => {
    let pending = false
    let lastSentMs = 0
    let timer: ReturnType<typeof setTimeout> | undefined
    const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), keepAliveMs)
    try {
      const send = () => {
        timer = undefined
        pending = false
        lastSentMs = Date.now()
        void stream.writeSSE({ event: 'change', data: String(lastSentMs) })
      }
      heard = (change) => {
        if (!options.filter(change) || pending) return
        pending = true
        timer = setTimeout(send, Math.max(0, lastSentMs + intervalMs - Date.now()))
      }
      await stream.writeSSE({ event: 'ready', data: '' })
      await new Promise<void>((resolve) => {
        stream.onAbort(resolve)
        if (stream.aborted) resolve()
      })
    } finally {
      unsubscribe()
      clearInterval(keepAlive)
      clearTimeout(timer)
    }
  })
}
