import { describe, expect, it } from 'vitest'
import { limitsFor } from '../domain/limits.js'
import { refusalIn } from '../testing/field-marks.js'
import { flashIn, subscriberTestKit } from './subscriber-test-kit.js'

async function setup() {
  const k = await subscriberTestKit()
  const id = k.subscriber.id as string
  const page = `/subscribers/${id}`
  const submit = (action: string, form: Record<string, string> = {}) => k.browser.submit(page, action, form)
  const flash = async (path = page) => flashIn((await k.browser.get(path)).html)
  const limit = async () => (await k.store.transact((tx) => limitsFor(tx, k.env, [id])))[0]
  return { ...k, id, page, submit, flash, limit }
}

describe('suspend and resume on the subscriber page', () => {
  it('suspends with the reason, shows it with a badge here and in the list, and resumes', async () => {
    const k = await setup()
    const reply = await k.submit(`${k.page}/suspend`, { reason: 'Unpaid invoice INV-2026-000012' })
    expect(reply.status).toBe(303)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Alice is suspended: blocked until resumed.' })
    expect(await k.limit()).toMatchObject({ limitBytes: 0, onCap: 'block' })
    expect(k.limitsChanged).toContain(k.id)

    const html = (await k.browser.get(k.page)).html
    expect(html).toContain('<span class="badge suspended">Suspended</span>')
    expect(html).toContain('Unpaid invoice INV-2026-000012')
    expect(html).toContain('aria-labelledby="resume-title"')
    expect(html).not.toContain('aria-labelledby="suspend-title"')
    expect((await k.browser.get('/subscribers')).html).toContain(
      '<span class="badge suspended">Suspended</span>',
    )

    await k.submit(`${k.page}/resume`)
    expect(await k.flash()).toEqual({ kind: 'ok', text: 'Alice is resumed: the normal limit applies again.' })
    expect(await k.limit()).toMatchObject({ limitBytes: 100e9 })
    expect((await k.browser.get('/subscribers')).html).not.toContain('badge suspended')
  })

  it('refuses a suspension without a reason, saying which box, changing nothing', async () => {
    const k = await setup()
    const before = k.snapshot()
    await k.submit(`${k.page}/suspend`, { reason: '  ' })
    const html = (await k.browser.get(k.page)).html
    expect(refusalIn(html)).toBe('Reason: Say why the subscriber is suspended.')
    expect(k.snapshot()).toBe(before)
  })
})

describe('delete from the subscriber page', () => {
  it('asks first, then deletes: gone from the list, shown under "Deleted", its page read-only', async () => {
    const k = await setup()
    const confirm = await k.browser.get(`${k.page}/delete`)
    expect(confirm.status).toBe(200)
    expect(confirm.html).toContain('Delete subscriber &quot;Alice&quot;?')
    expect(confirm.html).toContain('Its usage, top-ups, invoices, payments and ledger are kept.')
    expect(k.data.subscribers[k.id]!.deletedAtMs).toBeUndefined()

    const reply = await k.browser.post(`${k.page}/delete`, {
      _csrf: (/name="_csrf" value="([^"]+)"/.exec(confirm.html) ?? [])[1]!,
    })
    expect(reply.location).toBe('/subscribers')
    const list = (await k.browser.get('/subscribers')).html
    expect(list).toContain('Subscriber Alice deleted.')
    expect(list).not.toContain(`href="${k.page}"`)
    const deleted = (await k.browser.get('/subscribers?show=deleted')).html
    expect(deleted).toContain(`href="${k.page}"`)
    expect(deleted).toContain('<span class="badge deleted">Deleted</span>')

    const html = (await k.browser.get(k.page)).html
    expect(html).toContain('<span class="badge deleted">Deleted</span>')
    for (const form of ['suspend-title', 'edit-subscriber-title', 'manual-topup-title', 'payment-title']) {
      expect(html).not.toContain(`aria-labelledby="${form}"`)
    }
    expect((await k.browser.get(`${k.page}/delete`)).status).toBe(409)
    const before = k.snapshot()
    await k.submit(`${k.page}/delete`)
    expect((await k.flash())?.text).toMatch(/was deleted/)
    expect(k.snapshot()).toBe(before)
  })
})

describe('phone, postal address and notes on the forms', () => {
  it('saves them from the edit form, shows them, and names the box of a bad phone number', async () => {
    const k = await setup()
    const sub = k.data.subscribers[k.id]!
    const form = {
      name: sub.name,
      password: '',
      email: '',
      planId: sub.planId,
      agentId: sub.agentId,
      address: sub.address ?? '',
      billingDay: String(sub.billingDay),
      phone: '+254 712 345 678',
      postalAddress: 'P.O. Box 12\r\nNairobi',
      notes: 'Prefers SMS <b>',
    }
    await k.submit(k.page, form)
    expect(k.data.subscribers[k.id]).toMatchObject({
      phone: '+254712345678',
      postalAddress: 'P.O. Box 12\nNairobi',
      notes: 'Prefers SMS <b>',
    })
    const html = (await k.browser.get(k.page)).html
    expect(html).toContain('<dd>+254712345678</dd>')
    expect(html).toContain('P.O. Box 12<br/>Nairobi')
    expect(html).toContain('Prefers SMS &lt;b&gt;')
    expect(html).toMatch(/<textarea id="edit-notes" name="notes"[^>]*>Prefers SMS &lt;b&gt;<\/textarea>/)

    const before = k.snapshot()
    await k.submit(k.page, { ...form, phone: '0712 345 678' })
    expect(refusalIn((await k.browser.get(k.page)).html)).toBe(
      'Phone: Enter the phone number in international form, e.g. +254 712 345 678.',
    )
    expect(k.snapshot()).toBe(before)

    await k.submit(k.page, { ...form, phone: '', notes: '' })
    expect(k.data.subscribers[k.id]).not.toHaveProperty('phone')
    expect(k.data.subscribers[k.id]).not.toHaveProperty('notes')
  })
})
