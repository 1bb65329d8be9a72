/**
 * capd's live.js in a real browser, against a server that plays the race a busy controller
 * plays: a change committed while the page's refresh was being answered. The page must end on
 * the newest state, not on the one its refresh happened to read.
 */
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserTitle, launchBrowser, newContext, skipBrowser } from '../support/browser.js'

const LIVE_JS = readFileSync(new URL('../../../controller/src/ui/assets/live.js', import.meta.url), 'utf8')

/** The page's server: a state number, a change stream, and a hold on the next refresh's answer. */
class RacingServer {
  state = 0
  private streams: ServerResponse[] = []
  /** Set: the next refresh reads the state, then waits for release() before it answers. */
  private holding?: { read: (state: number) => void; release: Promise<void> }
  readonly server: Server

  constructor() {
    this.server = createServer((req, res) => void this.answer(req, res))
  }

  page = (state: number) =>
    `<!doctype html><html lang="en"><head><title>live</title></head><body data-live-source="/events">` +
    `<main><h1>Live</h1><p id="region" data-live>state ${state}</p></main>` +
    `<script src="/live.js"></script></body></html>`

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url === '/live.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(LIVE_JS)
    } else if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      res.write('event: ready\ndata: {}\n\n')
      this.streams.push(res)
    } else {
      const read = this.state
      const hold = req.headers['x-capd-live'] ? this.holding : undefined
      if (hold) {
        this.holding = undefined
        hold.read(read)
        await hold.release
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(this.page(read))
    }
  }

  /** Holds the next refresh once it has read the state; resolves with what it read. */
  holdNextRefresh(release: Promise<void>): Promise<number> {
    return new Promise((read) => {
      this.holding = { read, release }
    })
  }

  change(): void {
    this.state += 1
    for (const s of this.streams) s.write('event: change\ndata: {}\n\n')
  }

  get listeners(): number {
    return this.streams.filter((s) => !s.writableEnded && !s.destroyed).length
  }
}

describe.skipIf(skipBrowser)(browserTitle('live page updates, in a browser'), () => {
  let browser: Browser
  let racing: RacingServer
  let baseUrl: string

  beforeAll(async () => {
    browser = await launchBrowser()
    racing = new RacingServer()
    await new Promise<void>((resolve) => racing.server.listen(0, '127.0.0.1', resolve))
    const address = racing.server.address()
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(async () => {
    await browser?.close()
    racing?.server.closeAllConnections()
    await new Promise((resolve) => racing?.server.close(resolve))
  })

  it('a change told while a refresh is in flight is shown too, though that refresh read before it', async () => {
    const context = await newContext(browser, baseUrl)
    const page = await context.newPage()
    await page.goto('/')
    const region = page.locator('#region')
    await expect.poll(() => page.locator('body').getAttribute('data-live')).toBe('connected')
    expect(racing.listeners).toBe(1)

    let release!: () => void
    const read = racing.holdNextRefresh(new Promise<void>((r) => (release = r)))
    racing.change()
    // The refresh is in flight with what it read; the next change commits and is told meanwhile.
    expect(await read).toBe(racing.state)
    racing.change()
    // Past live.js's 250 ms gathering of changes, so the second one has been heard.
    await page.waitForTimeout(600)
    release()
    await expect.poll(() => region.textContent(), { timeout: 10_000 }).toBe(`state ${racing.state}`)
    await context.close()
  })
})
