import { describe, expect, it } from 'vitest'
import { subscriberTestKit } from './subscriber-test-kit.js'

const link = (id: string, name: string) => `<a href="/subscribers/${id}">${name}</a>`

describe('subscriber list', () => {
  it('lists subscribers with login, address, plan, state and usage, linking to each', async () => {
    const k = await subscriberTestKit()
    await k.setUsage(k.subscriber.id, 25e9)
    const { html } = await k.browser.get('/subscribers')
    expect(html).toContain(link(k.subscriber.id, 'Alice'))
    expect(html).toContain('<td>alice</td>')
    expect(html).toContain('<td>10.0.0.5</td>')
    expect(html).toContain('<td>Basic 100 GB</td>')
    expect(html).toContain('<span class="badge open">open</span>')
    expect(html).toContain('25 GB of 100 GB used (25%)')
    expect(html).toMatch(/<label for="q">Search<\/label><input id="q" name="q" type="search"/)
    expect(html).toContain('<option value="" selected="">All</option>')
  })

  it('searches and filters by state, keeping the choices in the form', async () => {
    const k = await subscriberTestKit()
    const bob = await k.addSubscriber('Bob', '10.0.0.6')
    await k.setUsage(bob.id, 100e9, { state: 'blocked' })

    const found = await k.browser.get('/subscribers?q=BO&state=')
    expect(found.html).toContain(link(bob.id, 'Bob'))
    expect(found.html).not.toContain(link(k.subscriber.id, 'Alice'))
    expect(found.html).toContain('value="BO"')

    const blocked = await k.browser.get('/subscribers?q=&state=blocked')
    expect(blocked.html).toContain(link(bob.id, 'Bob'))
    expect(blocked.html).not.toContain(link(k.subscriber.id, 'Alice'))
    expect(blocked.html).toContain('<option value="blocked" selected="">Blocked</option>')

    const open = await k.browser.get('/subscribers?state=open')
    expect(open.html).toContain(link(k.subscriber.id, 'Alice'))
    expect(open.html).not.toContain(link(bob.id, 'Bob'))

    const none = await k.browser.get('/subscribers?q=nobody')
    expect(none.html).toContain('No subscribers match.')
  })

  it('refuses an unknown state with a 400 page', async () => {
    const k = await subscriberTestKit()
    const page = await k.browser.get('/subscribers?state=sleeping')
    expect(page.status).toBe(400)
    expect(page.html).toContain('state:')
  })

  it('pages through 50 at a time with a next page link that keeps the search', async () => {
    const k = await subscriberTestKit()
    for (let i = 0; i <= 50; i++) await k.addSubscriber(`Carol ${i}`, `10.0.1.${i}`)
    const rows = (html: string) => html.match(/<td><a href="\/subscribers\/sub_/g)?.length ?? 0
    const first = await k.browser.get('/subscribers?q=carol')
    expect(rows(first.html)).toBe(50)
    expect(first.html).not.toContain('First page')
    const next = /<a href="\/subscribers\?q=carol&amp;after=([^"]+)">Next page<\/a>/.exec(first.html)
    expect(next).not.toBeNull()
    const second = await k.browser.get(`/subscribers?q=carol&after=${next![1]}`)
    expect(rows(second.html)).toBe(1)
    expect(second.html).toContain('Carol 50')
    expect(second.html).not.toContain('Next page')
    expect(second.html).toContain('<a href="/subscribers?q=carol">First page</a>')
  })
})
