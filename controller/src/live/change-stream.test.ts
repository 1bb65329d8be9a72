import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { listen, type RunningServer } from '../server.js'
import { ChangeFeed } from './change-feed.js'
import { changeStream } from './change-stream.js'

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A real server with one stream route: only subscriber `mine` is this viewer's. */
async function serveStream(feed: ChangeFeed, intervalMs: number) {
  const app = new Hono()
  app.get('/events', (c) =>
    changeStream(c, feed, {
      viewer: 'test',
      intervalMs,
      filter: (change) => change.kind === 'subscribers' && change.ids.includes('mine'),
    }),
  )
  server = await listen(app, 0, '127.0.0.1')
  return `http://127.0.0.1:${server.port}/events`
}

/** Reads the stream's event names as they arrive. */
async function openStream(url: string) {
  const controller = new AbortController()
  const res = await fetch(url, { signal: controller.signal })
  const events: string[] = []
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      for (const match of value!.matchAll(/^event: (\w+)$/gm)) events.push(match[1]!)
    }
  })()
  return { res, events, close: () => controller.abort() }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe('change stream', () => {
  it('tells a viewer of its own changes only, coalescing a burst into one event', async () => {
    const feed = new ChangeFeed()
    const stream = await openStream(await serveStream(feed, 200))
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await until(() => stream.events.includes('ready'))
    feed.publish({ kind: 'subscribers', ids: ['other'] })
    feed.publish({ kind: 'agents' })
    for (let i = 0; i < 10; i++) feed.publish({ kind: 'subscribers', ids: ['other', 'mine'] })
    await until(() => stream.events.filter((e) => e === 'change').length === 1)
    await new Promise((r) => setTimeout(r, 300))
    expect(stream.events.filter((e) => e === 'change')).toHaveLength(1)
    feed.publish({ kind: 'subscribers', ids: ['mine'] })
    await until(() => stream.events.filter((e) => e === 'change').length === 2)
    stream.close()
  })

  it('stops listening when the viewer goes away', async () => {
    const feed = new ChangeFeed()
    const stream = await openStream(await serveStream(feed, 50))
    await until(() => stream.events.includes('ready'))
    expect(feed.listenerCount).toBe(1)
    stream.close()
    await until(() => feed.listenerCount === 0)
  })
})
