/**
 * The browser suite's own checks can fail: axe reports a known violation readably, and the CSP
 * watcher hears a refused inline script. Without these, a broken helper would pass every page.
 */
import { createServer, type Server } from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations, expectAccessible } from '../support/a11y.js'
import { browserTitle, launchBrowser, newContext, skipBrowser } from '../support/browser.js'
import { watchPage } from '../support/csp-watch.js'

const BAD_PAGE = `<!doctype html><html lang="en"><head><title>bad</title></head>
<body><main><h1>Bad form</h1><form><input id="nameless" type="text"></form>
<script>globalThis.inlineRan = true</script></main></body></html>`

describe.skipIf(skipBrowser)(browserTitle('the browser test helpers'), () => {
  let browser: Browser
  let server: Server
  let baseUrl: string

  beforeAll(async () => {
    browser = await launchBrowser()
    // The page comes with a CSP like capd's: no inline script.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'" })
      res.end(BAD_PAGE)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('axe finds an unlabelled field and the failure names the rule and the element', async () => {
    const context = await newContext(browser, baseUrl, { bypassCSP: true })
    const page = await context.newPage()
    await page.goto('/')
    const ids = (await axeViolations(page)).map((v) => v.id)
    expect(ids).toContain('label')
    await expect(expectAccessible(page, 'the bad page')).rejects.toThrow(
      /- label \((critical|serious)\).*\n.*\n\s+#nameless/,
    )
    await context.close()
  })

  it('the CSP watcher reports a refused inline script', async () => {
    const context = await newContext(browser, baseUrl)
    const page = await context.newPage()
    const problems = watchPage(page)
    await page.goto('/')
    await expect.poll(() => problems.csp.length).toBeGreaterThan(0)
    expect(problems.describe()).toMatch(/^CSP: .*inline script/m)
    expect(await page.evaluate(() => 'inlineRan' in globalThis)).toBe(false)
    await context.close()
  })
})
