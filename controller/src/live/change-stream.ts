/**
 * A server-sent event stream of changes: `event: change` at most once per `intervalMs` (a busy
 * agent reports every second; pages only need to know that something changed), and a comment
 * every 25 s so proxies keep the connection open.
 */
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { Change, ChangeFeed } from './change-feed.js'

export interface ChangeStreamOptions {
  /** Which changes this viewer may hear of (a customer: only their own). */
  filter: (change: Change) => boolean
  intervalMs?: number
  keepAliveMs?: number
}

export function changeStream(c: Context, feed: ChangeFeed, options: ChangeStreamOptions): Response {
  const intervalMs = options.intervalMs ?? 1000
  const keepAliveMs = options.keepAliveMs ?? 25_000
  c.header('Cache-Control', 'no-store')
  c.header('X-Accel-Buffering', 'no')
  return streamSSE(c, async (stream) => {
    let pending = false
    let lastSentMs = 0
    let timer: ReturnType<typeof setTimeout> | undefined
    const send = () => {
      timer = undefined
      pending = false
      lastSentMs = Date.now()
      void stream.writeSSE({ event: 'change', data: String(lastSentMs) })
    }
    const unsubscribe = feed.subscribe((change) => {
      if (!options.filter(change) || pending) return
      pending = true
      timer = setTimeout(send, Math.max(0, lastSentMs + intervalMs - Date.now()))
    })
    const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), keepAliveMs)
    await stream.writeSSE({ event: 'ready', data: '' })
    await new Promise<void>((resolve) => stream.onAbort(resolve))
    unsubscribe()
    clearInterval(keepAlive)
    clearTimeout(timer)
  })
}
