import { describe, expect, it } from 'vitest'
import { staffTestKit } from '../operator-ui/staff-test-kit.js'
import { ANNA, BEN, pagesKit } from '../portal-ui/portal-pages-test-kit.js'
import { BrowserCaller } from '../testing/browser-caller.js'
import { pdfText, pdfTextMissing } from '../testing/pdf-text.js'
import { type Reply, TEST_TOKEN } from '../testing/test-app.js'

const skip = pdfTextMissing()

/** An operator top-up charged to an invoice: one new invoice for `subscriberId`. */
async function invoiceFor(
  k: { call: (m: string, p: string, b?: unknown) => Promise<Reply> },
  subscriberId: string,
  cents: number,
) {
  const reply = await k.call('POST', `/subscribers/${subscriberId}/topups`, {
    bytes: 1e9,
    price: { amount: cents, currency: 'USD' },
    chargeTo: 'invoice',
  })
  return reply.body.invoice as { id: string; number: string }
}

async function bytesOf(
  app: { request: (r: Request) => Response | Promise<Response> },
  path: string,
  headers: Record<string, string>,
) {
  const res = await app.request(new Request(`http://localhost${path}`, { headers }))
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) }
}

describe('portal invoice downloads', () => {
  it('a customer downloads their own documents and no one else’s, in any order', async () => {
    const k = await pagesKit()
    const anna = await k.browserFor(ANNA)
    const ben = await k.browserFor(BEN)
    const owned: { owner: 'anna' | 'ben'; id: string; number: string }[] = []
    for (let i = 0; i < 6; i++) {
      const owner = Math.random() < 0.5 ? 'anna' : 'ben'
      const invoice = await invoiceFor(k, owner === 'anna' ? k.anna.id : k.ben.id, 100 + i)
      owned.push({ owner, ...invoice })
    }
    owned.sort(() => Math.random() - 0.5)
    for (const doc of owned) {
      for (const [who, browser] of [
        ['anna', anna],
        ['ben', ben],
      ] as const) {
        const reply = await browser.get(`/portal/invoices/${doc.id}.pdf`)
        if (doc.owner === who) {
          expect(reply.status).toBe(200)
          expect(reply.headers.get('content-type')).toBe('application/pdf')
          expect(reply.headers.get('content-disposition')).toBe(`attachment; filename="${doc.number}.pdf"`)
          expect(reply.headers.get('cache-control')).toBe('no-store')
        } else {
          // Another's document is exactly as absent as one that never existed.
          expect(reply.status).toBe(404)
          expect(reply.html).not.toContain(doc.number)
        }
      }
    }
    const history = (await anna.get('/portal/history')).html
    for (const doc of owned) {
      expect(history.includes(`/portal/invoices/${doc.id}.pdf`)).toBe(doc.owner === 'anna')
    }
  })

  it('answers 404 for an unknown id or a forged path, and sends a visitor to the login page', async () => {
    const k = await pagesKit()
    const invoice = await invoiceFor(k, k.anna.id, 250)
    const anna = await k.browserFor(ANNA)
    for (const path of [
      '/portal/invoices/inv_nope.pdf',
      `/portal/invoices/${invoice.id}`,
      `/portal/invoices/..%2F${invoice.id}.pdf`,
    ]) {
      expect((await anna.get(path)).status).toBe(404)
    }
    const visitor = await new BrowserCaller(k.app).get(`/portal/invoices/${invoice.id}.pdf`)
    expect(visitor.status).toBe(303)
    expect(visitor.location).toBe('/portal')
  })

  it.skipIf(skip)('the PDF carries the document’s number, line and total', async () => {
    const k = await pagesKit()
    const invoice = await invoiceFor(k, k.anna.id, 1234)
    const anna = await k.browserFor(ANNA)
    const cookie = [...anna.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
    const { res, bytes } = await bytesOf(k.app, `/portal/invoices/${invoice.id}.pdf`, { cookie })
    expect(res.status).toBe(200)
    const text = pdfText(bytes)
    expect(text).toContain(invoice.number)
    expect(text).toContain('$12.34')
    expect(text).toContain('Login: anna')
  })
})

describe('staff and API invoice downloads', () => {
  it('any staff role may download any document; a visitor may not', async () => {
    const k = await staffTestKit()
    const invoice = await invoiceFor(k, k.subscriber.id, 700)
    const support = await k.addAccount('sam', 'support')
    const { browser } = await k.sessionOf(support.id)
    const reply = await browser.get(`/invoices/${invoice.id}.pdf`)
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-type')).toBe('application/pdf')
    expect(reply.headers.get('content-disposition')).toContain(`${invoice.number}.pdf`)
    expect((await browser.get('/invoices/inv_missing.pdf')).status).toBe(404)
    const visitor = await new BrowserCaller(k.app).get(`/invoices/${invoice.id}.pdf`)
    expect(visitor.status).toBe(303)
    expect((await browser.get('/invoices')).html).toContain(`/invoices/${invoice.id}.pdf`)
  })

  it('the API answers the PDF to a token, 401 without one, 404 for an unknown id', async () => {
    const k = await staffTestKit()
    const invoice = await invoiceFor(k, k.subscriber.id, 700)
    const path = `/api/v1/invoices/${invoice.id}/pdf`
    const ok = await bytesOf(k.app, path, { authorization: `Bearer ${TEST_TOKEN}` })
    expect(ok.res.status).toBe(200)
    expect(ok.res.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(ok.bytes.subarray(0, 5)).toString()).toBe('%PDF-')
    expect((await bytesOf(k.app, path, {})).res.status).toBe(401)
    const missing = await k.call('GET', '/invoices/inv_missing/pdf')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('not_found')
  })
})
