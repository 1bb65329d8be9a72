import { describe, expect, it } from 'vitest'
import { DEFAULT_ISP_NAME } from '../domain/branding.js'
import { invoiceLine } from '../domain/tax.js'
import type { Invoice } from '../store/entities.js'
import { jpegImage, pngImage } from '../testing/images.js'
import { pdfText, pdfTextMissing } from '../testing/pdf-text.js'
import type { InvoiceDocument } from './invoice-document.js'
import { invoicePdf } from './invoice-pdf.js'

const USD = (amount: number) => ({ amount, currency: 'USD' })
const ISSUED_MS = Date.parse('2026-03-10T23:30:00Z')

function taxedInvoice(over: Partial<Invoice> = {}): Invoice {
  const line = invoiceLine('10 GB top-up', USD(1160), { rateBp: 1600, inclusive: true })
  return {
    id: 'inv_1',
    kind: 'invoice',
    number: 'INV-2026-000042',
    subscriberId: 'sub_1',
    issuedAtMs: ISSUED_MS,
    lines: [line],
    net: line.net!,
    tax: line.tax!,
    total: line.amount,
    status: 'open',
    ...over,
  }
}

function document(over: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    invoice: taxedInvoice(),
    kind: 'invoice',
    customer: { name: 'Anna Example', login: 'anna', postalAddress: ['12 Customer Lane', 'Nairobi'] },
    isp: {
      name: 'Skyline Wireless Ltd',
      named: true,
      postalAddress: ['PO Box 4711', 'Mombasa Road 9', 'Nairobi'],
      taxId: 'P051234567X',
      supportEmail: 'help@skyline.example',
      supportPhone: '+254 700 000 111',
    },
    links: [],
    ...over,
  }
}

const skip = pdfTextMissing()

describe.skipIf(skip)(`invoice PDF${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const text = async (d: InvoiceDocument, timeZone = 'UTC') => pdfText(await invoicePdf(d, { timeZone }))

  it('shows the ISP, the customer, the line with its tax, and the totals', async () => {
    const t = await text(document())
    for (const expected of [
      'Invoice',
      'INV-2026-000042',
      'Skyline Wireless Ltd',
      'PO Box 4711',
      'Mombasa Road 9',
      'Tax id: P051234567X',
      'help@skyline.example',
      '+254 700 000 111',
      'Anna Example',
      'Login: anna',
      '12 Customer Lane',
      '10 GB top-up',
      '16%',
      '$1.60',
      '$10.00',
      '$11.60',
      'Due',
      'Powered by capd',
    ]) {
      expect(t).toContain(expected)
    }
    expect(t).not.toContain('Pro-forma')
  })

  it('dates the document in the controller’s zone', async () => {
    expect(await text(document(), 'UTC')).toContain('10 Mar 2026')
    expect(await text(document(), 'Africa/Nairobi')).toContain('11 Mar 2026')
  })

  it('names a pro-forma and a credit note as such, with the documents they link to', async () => {
    const pro = await text(
      document({
        kind: 'proforma',
        invoice: taxedInvoice({ kind: 'proforma', number: 'PRO-2026-000007', status: 'paid' }),
        links: [{ label: 'Invoice', number: 'INV-2026-000042' }],
      }),
    )
    expect(pro).toContain('Pro-forma invoice')
    expect(pro).toContain('PRO-2026-000007')
    expect(pro).toContain('INV-2026-000042')
    expect(pro).toContain('PAID')
    const credit = await text(
      document({
        kind: 'credit_note',
        invoice: taxedInvoice({ kind: 'credit_note', number: 'CN-2026-000003' }),
        links: [{ label: 'Credits invoice', number: 'INV-2026-000042' }],
      }),
    )
    expect(credit).toContain('Credit note')
    expect(credit).toContain('CN-2026-000003')
    expect(credit).toContain('Credits invoice INV-2026-000042')
    expect(credit).not.toContain('Invoice INV-2026-000042 Due')
  })

  it('stamps a voided invoice VOID and a paid one PAID, with what was paid and what is due', async () => {
    const voided = await text(
      document({ invoice: taxedInvoice({ status: 'void', voidReason: 'Entered twice' }) }),
    )
    expect(voided).toContain('VOID')
    expect(voided).toContain('Entered twice')
    const paid = await text(document({ invoice: taxedInvoice({ status: 'paid', amountPaid: USD(1160) }) }))
    expect(paid).toContain('PAID')
    expect(paid).toMatch(/Paid \$11\.60/)
    expect(paid).toMatch(/Due \$0\.00/)
  })

  it('is the same bytes every time for the same document', async () => {
    const a = await invoicePdf(document(), { timeZone: 'UTC' })
    const b = await invoicePdf(document(), { timeZone: 'UTC' })
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    expect(Buffer.from(a).subarray(0, 5).toString()).toBe('%PDF-')
  })

  it('prints any script the font has, a "?" for what it lacks, and survives very long text', async () => {
    const names = ['Zoë Ångström-Łukasiewicz', 'Дмитрий Шостакович', 'Αλέξανδρος', 'שלום עליכם', 'محمد علي']
    for (const name of names) {
      const t = await text(document({ customer: { name, login: 'x' } }))
      // pdftotext may reorder right-to-left text; every letter must be there.
      for (const word of name.split(' '))
        expect(t.includes(word) || t.includes([...word].reverse().join(''))).toBe(true)
    }
    // DejaVu has some emoji (😀) but no flags: those print as "?".
    const emoji = await text(document({ customer: { name: 'Happy 😀 customer 🇰🇪 🦄', login: 'x' } }))
    expect(emoji).toContain('customer ?? ?')
    const long = 'Very long description '.repeat(200)
    const many = Array.from({ length: 45 }, (_, i) =>
      invoiceLine(`${long.slice(0, 40 + i * 7)} #${i}`, USD(100 + i), { rateBp: 1600, inclusive: false }),
    )
    const pdf = await invoicePdf(
      document({
        customer: { name: 'N'.repeat(1000), login: 'l'.repeat(500) },
        invoice: taxedInvoice({ lines: many }),
      }),
      { timeZone: 'UTC' },
    )
    const t = pdfText(pdf)
    expect(t).toContain('#0')
    expect(t).toContain('#44')
    expect(t).toMatch(/Page 1 of \d+/)
    expect(t).toMatch(/Page 2 of \d+/)
  }, 30_000)

  it('carries plain words where the ISP has set no branding', async () => {
    const t = await text(document({ isp: { name: DEFAULT_ISP_NAME, named: false } }))
    expect(t).toContain(DEFAULT_ISP_NAME)
    expect(t).not.toContain('Tax id')
  })

  it('embeds the logo, PNG or JPEG, as an image', async () => {
    for (const [contentType, bytes] of [
      ['image/png', pngImage(120, 40, { noise: true })],
      ['image/jpeg', jpegImage(200, 100)],
    ] as const) {
      const logo = { contentType, widthPx: 1, heightPx: 1, sha256: 'x', bytes }
      const base = document()
      const pdf = Buffer.from(await invoicePdf({ ...base, isp: { ...base.isp, logo } }, { timeZone: 'UTC' }))
      expect(pdf.includes('/Subtype /Image')).toBe(true)
      expect(pdfText(pdf)).toContain('Skyline Wireless Ltd')
    }
    expect(Buffer.from(await invoicePdf(document(), { timeZone: 'UTC' })).includes('/Subtype /Image')).toBe(
      false,
    )
  })
})
