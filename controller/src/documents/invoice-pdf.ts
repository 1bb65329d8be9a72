/**
 * An invoice, pro-forma or credit note as a PDF (A4, pdfkit). Deterministic: the same document
 * gives the same bytes (the creation date is the issue date and the file id derives from it), so a
 * PDF can be cached and compared.
 */
import { formatMoney } from '@capd/protocol'
import PDFDocument from 'pdfkit'
import { ratePercent } from '../domain/tax.js'
import type { DocumentKind, InvoiceLine } from '../store/entities.js'
import { date } from '../ui/format.js'
import type { InvoiceDocument } from './invoice-document.js'
import { closingNote, statusLabel, totals } from './invoice-figures.js'
import { type PdfFonts, pdfFonts, printable } from './pdf-font.js'

export const DOCUMENT_TITLE: Readonly<Record<DocumentKind, string>> = {
  invoice: 'Invoice',
  proforma: 'Pro-forma invoice',
  credit_note: 'Credit note',
}

const MARGIN = 50
const PAGE_BOTTOM = 841.89 - MARGIN - 30
const WIDTH = 595.28 - 2 * MARGIN
const GREY = '#555555'

/** The line table's columns, left to right (widths add up to the page's text width). */
const COLUMNS: readonly { header: string; width: number; num?: boolean; cell: (l: InvoiceLine) => string }[] =
  [
    { header: 'Description', width: 150, cell: (l) => l.description },
    { header: 'Qty', width: 30, num: true, cell: (l) => String(l.quantity) },
    { header: 'Unit price', width: 68, num: true, cell: (l) => formatMoney(l.unitPrice) },
    { header: 'Net', width: 68, num: true, cell: (l) => formatMoney(l.net ?? l.amount) },
    { header: 'Tax rate', width: 43, num: true, cell: (l) => (l.taxRule ? ratePercent(l.taxRule) : '–') },
    { header: 'Tax', width: 60, num: true, cell: (l) => (l.tax ? formatMoney(l.tax) : '–') },
    { header: 'Amount', width: 76, num: true, cell: (l) => formatMoney(l.amount) },
  ]

export interface PdfOptions {
  /** The controller's zone: the issue date is the date there. */
  timeZone: string
  fonts?: PdfFonts
}

export async function invoicePdf(d: InvoiceDocument, options: PdfOptions): Promise<Uint8Array> {
  const fonts = options.fonts ?? pdfFonts()
  const { invoice } = d
  const title = DOCUMENT_TITLE[d.kind]
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `${title} ${invoice.number}`,
      Author: d.isp.name,
      Creator: d.isp.name,
      Producer: 'capd',
      CreationDate: new Date(invoice.issuedAtMs),
    },
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve)
    doc.on('error', reject)
  })
  doc.registerFont('body', fonts.regular)
  doc.registerFont('bold', fonts.bold)
  const write = (text: string, x: number, y: number, opts: PDFKit.Mixins.TextOptions = {}) =>
    doc.text(printable(doc, text), x, y, opts)

  // The ISP: logo on the left, who they are on the right.
  const top = MARGIN
  if (d.isp.logo) {
    try {
      doc.image(Buffer.from(d.isp.logo.bytes), MARGIN, top, { fit: [160, 60] })
    } catch {
      // The logo was checked on upload; a file pdfkit still cannot read leaves the space empty.
    }
  }
  const ispX = MARGIN + 220
  const ispWidth = WIDTH - 220
  doc.font('bold').fontSize(13).fillColor('black')
  write(d.isp.name, ispX, top, { width: ispWidth, align: 'right' })
  doc.font('body').fontSize(9).fillColor(GREY)
  const ispLines = [
    ...(d.isp.postalAddress ?? []),
    ...(d.isp.taxId ? [`Tax id: ${d.isp.taxId}`] : []),
    ...(d.isp.supportEmail ? [d.isp.supportEmail] : []),
    ...(d.isp.supportPhone ? [d.isp.supportPhone] : []),
  ]
  for (const line of ispLines) write(line, ispX, doc.y, { width: ispWidth, align: 'right' })
  let y = Math.max(doc.y, top + 70) + 20

  // What this document is.
  stamp(doc, d, y)
  doc.font('bold').fontSize(20).fillColor('black')
  write(title, MARGIN, y, { width: WIDTH - 170 })
  doc.font('body').fontSize(10)
  const facts: [string, string][] = [
    ['Number', invoice.number],
    ['Issue date', date(invoice.issuedAtMs, options.timeZone)],
    ['Status', statusLabel(d)],
    ...d.links.map((l): [string, string] => [l.label, l.number]),
  ]
  y = doc.y + 6
  const factsTop = y
  for (const [label, value] of facts) {
    doc.fillColor(GREY)
    write(label, MARGIN, y, { width: 90 })
    doc.fillColor('black')
    write(value, MARGIN + 95, y, { width: 160 })
    y = doc.y + 2
  }

  // The customer, to the right of the facts.
  doc.font('bold').fontSize(10).fillColor(GREY)
  write(d.kind === 'credit_note' ? 'Credited to' : 'Bill to', ispX, factsTop, { width: ispWidth })
  doc.font('body').fillColor('black')
  for (const line of [d.customer.name, `Login: ${d.customer.login}`, ...(d.customer.postalAddress ?? [])]) {
    write(line, ispX, doc.y, { width: ispWidth })
  }
  y = Math.max(y, doc.y) + 20

  // The lines.
  const header = (atY: number) => {
    doc.font('bold').fontSize(8.5).fillColor(GREY)
    let x = MARGIN
    for (const col of COLUMNS) {
      write(col.header, x, atY, { width: col.width - 4, align: col.num ? 'right' : 'left' })
      x += col.width
    }
    doc
      .moveTo(MARGIN, atY + 13)
      .lineTo(MARGIN + WIDTH, atY + 13)
      .strokeColor('#999999')
      .stroke()
    return atY + 18
  }
  y = header(y)
  doc.font('body').fontSize(9).fillColor('black')
  for (const line of invoice.lines) {
    const cells = COLUMNS.map((col) => printable(doc, col.cell(line)))
    const height = Math.max(
      ...cells.map((text, i) => doc.heightOfString(text, { width: COLUMNS[i]!.width - 4 })),
    )
    if (y + height > PAGE_BOTTOM) {
      doc.addPage()
      y = header(MARGIN)
      doc.font('body').fontSize(9).fillColor('black')
    }
    let x = MARGIN
    cells.forEach((text, i) => {
      const col = COLUMNS[i]!
      doc.text(text, x, y, { width: col.width - 4, align: col.num ? 'right' : 'left' })
      x += col.width
    })
    y += height + 6
  }

  // The totals, right-aligned under the amounts.
  if (y + 100 > PAGE_BOTTOM) {
    doc.addPage()
    y = MARGIN
  }
  doc
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + WIDTH, y)
    .strokeColor('#999999')
    .stroke()
  y += 8
  for (const [label, amount, strong] of totals(d)) {
    doc
      .font(strong ? 'bold' : 'body')
      .fontSize(strong ? 11 : 9.5)
      .fillColor('black')
    write(label, MARGIN + WIDTH - 260, y, { width: 150, align: 'right' })
    write(formatMoney(amount), MARGIN + WIDTH - 105, y, { width: 101, align: 'right' })
    y = doc.y + 3
  }
  doc.font('body').fontSize(9).fillColor(GREY)
  const note = closingNote(d)
  if (note) write(note, MARGIN, y + 14, { width: WIDTH })

  footer(doc, d)
  doc.end()
  await ended
  return new Uint8Array(Buffer.concat(chunks))
}

/**
 * PAID or VOID in a framed stamp beside the title: a word, never colour alone, and level, so text
 * extraction (and screen readers) read it as a word.
 */
function stamp(doc: PDFKit.PDFDocument, d: InvoiceDocument, y: number): void {
  const word = d.invoice.status === 'void' ? 'VOID' : d.invoice.status === 'paid' ? 'PAID' : undefined
  if (!word) return
  const colour = word === 'VOID' ? '#b00020' : '#1b7a3a'
  const x = MARGIN + WIDTH - 140
  doc.save()
  doc
    .lineWidth(2.5)
    .strokeColor(colour)
    .roundedRect(x, y - 4, 140, 36, 4)
    .stroke()
  doc.font('bold').fontSize(22).fillColor(colour)
  doc.text(word, x, y + 2, { width: 140, align: 'center', lineBreak: false })
  doc.restore()
}

/** On every page: who to ask, the page number, and a small "Powered by capd". */
function footer(doc: PDFKit.PDFDocument, d: InvoiceDocument): void {
  const contact = [d.isp.supportEmail, d.isp.supportPhone].filter(Boolean).join(' · ')
  const range = doc.bufferedPageRange()
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    // Writing below the bottom margin would otherwise start a new page.
    const bottom = doc.page.margins.bottom
    doc.page.margins.bottom = 0
    doc.font('body').fontSize(8).fillColor(GREY)
    const left = contact ? `Questions? ${d.isp.name}: ${contact}` : d.isp.name
    doc.text(printable(doc, left), MARGIN, 841.89 - 40, {
      width: WIDTH - 140,
      lineBreak: false,
      ellipsis: true,
    })
    doc.text(`Page ${i + 1} of ${range.count} · Powered by capd`, MARGIN + WIDTH - 140, 841.89 - 40, {
      width: 140,
      align: 'right',
      lineBreak: false,
    })
    doc.page.margins.bottom = bottom
  }
}
