import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { invoiceKit, key, usd } from './invoice-test-kit.js'

/** RFC 4180, strictly: quoted fields may hold commas, CRLF and doubled quotes; every record ends in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let i = 0
  while (i < text.length) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote')
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
          } else {
            i++
            break
          }
        } else field += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`)
        field += text[i++]
      }
    }
    row.push(field)
    if (text[i] === ',') i++
    else if (text.startsWith('\r\n', i)) {
      rows.push(row)
      row = []
      i += 2
    } else throw new Error(`expected , or CRLF at ${i}`)
  }
  return rows
}

const records = (csv: string) => {
  const [header, ...rows] = parseCsv(csv)
  return rows.map((r) => Object.fromEntries(header!.map((h, j) => [h, r[j]!])))
}
const cents = (decimal: string) => Math.round(Number(decimal) * 100)
const HOSTILE = [
  "=cmd|' /C calc'!A0",
  'Smith, "Jo"',
  'two\r\nlines',
  '+1 555',
  '-2+3',
  '@SUM(A1)',
  '\tTab',
  'plain',
]
const unguard = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s)

describe('accounting export', () => {
  it('round-trips hostile text and its totals match the store', async () => {
    const random = seededRandom(7)
    const k = await invoiceKit()
    const name = HOSTILE.join(' | ')
    await k.store.transact(async (tx) => {
      const sub = (await tx.subscribers.get(k.subscriber.id))!
      await tx.subscribers.update({ ...sub, name: `${HOSTILE[0]}\n${name}` })
    })
    for (let i = 0; i < 12; i++) {
      const { invoice } = await k.topUp(1e9, random.int(1, 10_000))
      const roll = random.next()
      if (roll < 0.3) {
        await k.call(
          'POST',
          `/invoices/${invoice.id}/payments`,
          {
            amount: usd(1),
            method: 'cash',
            reference: HOSTILE[i % HOSTILE.length]!.replace(/[\r\n\t]/g, ' '),
          },
          key(),
        )
      } else if (roll < 0.5) {
        await k.call('POST', `/invoices/${invoice.id}/void`, { reason: `"${HOSTILE[i % 2]}", really` }, key())
      }
    }
    await k.call('POST', `/subscribers/${k.subscriber.id}/payments`, {
      amount: usd(250),
      reference: '=HYPERLINK("x")',
    })
    const get = async (which: string) => {
      const res = await k.app.request(
        new Request(`http://localhost/api/v1/exports/${which}.csv?from=2026-03-01&to=2026-03-31`, {
          headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' },
        }),
      )
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('text/csv')
      return res.text()
    }
    const docs = await k.store.transact((tx) => tx.invoices.list())
    const payments = await k.store.transact((tx) => tx.payments.list())

    const invoices = records(await get('invoices'))
    expect(invoices).toHaveLength(docs.length)
    const signed = docs.reduce((s, d) => s + (d.kind === 'credit_note' ? -d.total.amount : d.total.amount), 0)
    expect(invoices.reduce((s, r) => s + cents(r.total!), 0)).toBe(signed)
    for (const r of invoices) {
      expect(r.subscriber!.startsWith("'=cmd")).toBe(true)
      expect(unguard(r.subscriber!)).toBe(`${HOSTILE[0]}\n${name}`)
      if (r.kind === 'credit_note') {
        const credited = invoices.find((x) => x.number === r.credits_invoice)
        expect(credited?.credit_note).toBe(r.number)
        expect(credited?.status).toBe('void')
      }
    }

    const credits = records(await get('credit-notes'))
    expect(credits).toHaveLength(docs.filter((d) => d.kind === 'credit_note').length)
    for (const r of credits) expect(r.reason).toMatch(/^"(=cmd|Smith).*", really$/)

    const paid = records(await get('payments'))
    expect(paid).toHaveLength(payments.length)
    expect(paid.reduce((s, r) => s + cents(r.amount!), 0)).toBe(
      payments.reduce((s, p) => s + p.amount.amount, 0),
    )
    expect(paid.find((r) => r.reference?.includes('HYPERLINK'))?.reference).toBe('\'=HYPERLINK("x")')
    expect(paid.filter((r) => r.reference === "'-2+3")).toHaveLength(
      payments.filter((p) => p.reference === '-2+3').length,
    )
  })

  it('leaves out documents outside the range and refuses a bad range', async () => {
    const k = await invoiceKit()
    await k.topUp(1e9, 100)
    const url = (q: string) => `/exports/invoices.csv?${q}`
    const call = (q: string) =>
      k.app.request(
        new Request(`http://localhost/api/v1${url(q)}`, {
          headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' },
        }),
      )
    expect(records(await (await call('from=2026-03-11&to=2026-03-31')).text())).toHaveLength(0)
    expect(records(await (await call('from=2026-03-10&to=2026-03-10')).text())).toHaveLength(1)
    for (const q of [
      'from=2026-03-31&to=2026-03-01',
      'from=2026-02-30&to=2026-03-01',
      'from=yesterday&to=2026-03-01',
      'to=2026-03-01',
    ]) {
      expect((await call(q)).status).toBe(400)
    }
  })
})
