/**
 * Reads the controller's store file as a black box and lists what is wrong with it: a lost or
 * doubled request, an invoice gap, a balance that disagrees with its payments and charges, or an
 * effect without its idempotency record (or the reverse), which would break the next retry.
 */
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { Op } from './client-ops.js'

interface MoneyJson {
  amount: number
  currency: string
}

/** The parts of `capd.json` this test reads. */
export interface StoreDoc {
  format: string
  subscribers: Record<string, { id: string; balance: MoneyJson }>
  topUps: Record<
    string,
    { id: string; subscriberId: string; bytes: number; price: MoneyJson; chargeTo: string; invoiceId: string }
  >
  invoices: Record<string, { id: string; number: string; subscriberId: string; topUpId: string }>
  payments: Record<string, { id: string; subscriberId: string; amount: MoneyJson; reference?: string }>
  ledger: Record<string, { id: string; subscriberId: string; kind: string; amount: MoneyJson; ref: string }>
  idempotency: Record<string, { scope: string; status: number; body: unknown }>
  sequences: Record<string, number>
}

/** Reads and parses a store file; a file that does not parse rejects with its name and the reason. */
export async function readStore(path: string): Promise<StoreDoc> {
  const text = await readFile(path, 'utf8')
  try {
    return JSON.parse(text) as StoreDoc
  } catch (error) {
    throw new Error(`${path} does not parse (${text.length} chars): ${(error as Error).message}`)
  }
}

type LogOp =
  | { o: 's'; t: string; k: string; v: unknown }
  | { o: 'd'; t: string; k: string }
  | { o: 'p'; t: string; v: unknown }
  | { o: 'x'; t: string; n: number }

/**
 * Reads the store as a restart would: the snapshot `capd.json` (if any) plus the write-ahead log
 * `capd.wal` replayed in version order. Every complete log line must be a whole record
 * (`<length> <crc32 hex> <json>`, length and checksum right) and versions must follow on without a
 * gap; only a torn last line (a write the kill interrupted) may be cut.
 * Written independently of the controller's own reader, so it checks the format, not the code.
 */
export async function readDataDir(dir: string): Promise<{ doc: StoreDoc; tornBytes: number }> {
  const snapshotPath = join(dir, 'capd.json')
  const doc = (await exists(snapshotPath))
    ? await readStore(snapshotPath)
    : ({
        topUps: {},
        invoices: {},
        payments: {},
        ledger: {},
        subscribers: {},
        idempotency: {},
        sequences: {},
        audit: [],
      } as unknown as StoreDoc)
  const tables = doc as unknown as Record<string, Record<string, unknown> | unknown[]>
  let version = (doc as { committedVersion?: number }).committedVersion ?? 0
  const walPath = join(dir, 'capd.wal')
  const text = (await exists(walPath)) ? await readFile(walPath, 'utf8') : ''
  const end = text.lastIndexOf('\n') + 1
  for (const line of text.slice(0, end).split('\n').filter(Boolean)) {
    let record: { v: number; ops: LogOp[] }
    try {
      const [, length, crc, payload] = /^(\d+) ([0-9a-f]{8}) (.*)$/s.exec(line) ?? []
      if (payload === undefined) throw new Error('no record header')
      const body = Buffer.from(payload, 'utf8')
      if (body.length !== Number(length)) throw new Error(`length ${length}, payload ${body.length} bytes`)
      if (crc32(body).toString(16).padStart(8, '0') !== crc) throw new Error('checksum mismatch')
      record = JSON.parse(payload)
    } catch (error) {
      throw new Error(`${walPath} has a complete line that does not parse: ${(error as Error).message}`)
    }
    if (record.v <= version) continue
    if (record.v !== version + 1) throw new Error(`${walPath} jumps from version ${version} to ${record.v}`)
    for (const op of record.ops) {
      tables[op.t] ??= {}
      const table = tables[op.t]!
      if (op.o === 'p') (table as unknown[]).push(op.v)
      else if (op.o === 'x') (table as unknown[]).splice(0, op.n)
      else if (op.o === 's') (table as Record<string, unknown>)[op.k] = op.v
      else delete (table as Record<string, unknown>)[op.k]
    }
    version = record.v
  }
  return { doc, tornBytes: Buffer.byteLength(text.slice(end)) }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** Finds the rows each op created in `doc`: none (not applied), one, or more (applied twice). */
export function effectIndex(doc: StoreDoc): (op: Op) => string[] {
  const topUps = groupIds(Object.values(doc.topUps), (t) => t.bytes)
  const payments = groupIds(Object.values(doc.payments), (p) => p.reference)
  return (op) => (op.kind === 'payment' ? payments.get(op.key) : topUps.get(op.bytes)) ?? []
}

function groupIds<R extends { id: string }, K>(rows: R[], keyOf: (row: R) => K): Map<K, string[]> {
  const groups = new Map<K, string[]>()
  for (const row of rows) {
    const key = keyOf(row)
    const ids = groups.get(key)
    if (ids) ids.push(row.id)
    else groups.set(key, [row.id])
  }
  return groups
}

/**
 * Everything wrong with `doc`, given the client's ops so far. With `acked`, every op the client
 * saw acknowledged must be in it (the live file); without, only internal consistency is checked
 * (`capd.json.prev`, an older generation).
 */
export function storeProblems(doc: StoreDoc, ops: readonly Op[], { acked }: { acked: boolean }): string[] {
  const problems: string[] = []
  if (doc.format !== 'capd-store') problems.push(`format is ${JSON.stringify(doc.format)}`)
  for (const table of ['subscribers', 'topUps', 'invoices', 'payments', 'ledger'] as const) {
    for (const [key, row] of Object.entries(doc[table])) {
      if (row.id !== key) problems.push(`${table}: row under key ${key} has id ${row.id}`)
    }
  }
  problems.push(...requestProblems(doc, ops, acked))
  problems.push(...invoiceProblems(doc))
  problems.push(...balanceProblems(doc))
  return problems
}

function requestProblems(doc: StoreDoc, ops: readonly Op[], acked: boolean): string[] {
  const problems: string[] = []
  const keyRecords = new Map<string, { status: number; body: unknown }>()
  for (const record of Object.values(doc.idempotency)) {
    keyRecords.set(record.scope.slice(record.scope.lastIndexOf('|') + 1), record)
  }
  const topUpOps = new Map(ops.filter((op) => op.kind !== 'payment').map((op) => [op.bytes, op]))
  const paymentOps = new Map(ops.filter((op) => op.kind === 'payment').map((op) => [op.key, op]))
  for (const t of Object.values(doc.topUps)) {
    const op = topUpOps.get(t.bytes)
    if (!op) problems.push(`top-up ${t.id} (${t.bytes} bytes) matches no request`)
    else if (
      t.subscriberId !== op.subscriberId ||
      t.price.amount !== op.cents ||
      t.chargeTo !== (op.kind === 'balance-topup' ? 'balance' : 'invoice')
    ) {
      problems.push(`top-up ${t.id} differs from request ${op.key}: ${JSON.stringify(t)}`)
    }
  }
  for (const p of Object.values(doc.payments)) {
    const op = p.reference === undefined ? undefined : paymentOps.get(p.reference)
    if (!op) problems.push(`payment ${p.id} (reference ${p.reference}) matches no request`)
    else if (p.subscriberId !== op.subscriberId || p.amount.amount !== op.cents) {
      problems.push(`payment ${p.id} differs from request ${op.key}: ${JSON.stringify(p)}`)
    }
  }

  const effectsOf = effectIndex(doc)
  for (const op of ops) {
    const ids = effectsOf(op)
    if (ids.length > 1) problems.push(`request ${op.key} applied ${ids.length} times: ${ids.join(', ')}`)
    if (acked && op.ack && !ids.includes(op.ack.id)) {
      problems.push(`request ${op.key} was acknowledged as ${op.ack.id}, which is not in the store`)
    }
    if (acked && op.ack?.invoiceId !== undefined) {
      const invoice = doc.invoices[op.ack.invoiceId]
      if (!invoice || invoice.number !== op.ack.invoiceNumber || invoice.topUpId !== op.ack.id) {
        problems.push(
          `request ${op.key}: acknowledged invoice ${op.ack.invoiceNumber} (${op.ack.invoiceId}) ` +
            `is ${JSON.stringify(invoice)} in the store`,
        )
      }
    }
    // The effect and its key are written in one transaction: one without the other would make a
    // retry apply the request again (no record) or answer for an effect that is not there.
    const record = keyRecords.get(op.key)
    const recordedId = recordedRowId(op, record?.body)
    if (ids.length === 1 && record === undefined) {
      problems.push(`request ${op.key} is applied (${ids[0]}) but its Idempotency-Key is not recorded`)
    } else if (ids.length === 0 && record !== undefined) {
      problems.push(`request ${op.key} has an Idempotency-Key record (${recordedId}) but no effect`)
    } else if (record !== undefined && (record.status !== 201 || !ids.includes(recordedId ?? ''))) {
      problems.push(`request ${op.key}: key record ${record.status} ${recordedId} vs rows ${ids.join(', ')}`)
    }
  }
  return problems
}

function recordedRowId(op: Op, body: unknown): string | undefined {
  const b = body as { topUp?: { id?: string }; payment?: { id?: string } } | undefined
  return op.kind === 'payment' ? b?.payment?.id : b?.topUp?.id
}

function invoiceProblems(doc: StoreDoc): string[] {
  const problems: string[] = []
  const topUps = Object.values(doc.topUps)
  const invoices = Object.values(doc.invoices)
  for (const t of topUps) {
    const invoice = doc.invoices[t.invoiceId]
    if (invoice?.topUpId !== t.id) problems.push(`top-up ${t.id} has no invoice (${t.invoiceId})`)
  }
  for (const invoice of invoices) {
    if (doc.topUps[invoice.topUpId] === undefined) {
      problems.push(`invoice ${invoice.number} is for a missing top-up ${invoice.topUpId}`)
    }
  }
  problems.push(...numberingProblems(invoices.map((i) => i.number)))
  for (const [series, count] of seriesCounts(invoices.map((i) => i.number))) {
    const [prefix, year] = series.split('-')
    const name = `${SERIES_NAMES[prefix ?? ''] ?? prefix}/${year}`
    if ((doc.sequences[name] ?? 0) !== count) {
      problems.push(
        `sequence ${name} is ${doc.sequences[name]}, but there are ${count} documents in ${series}`,
      )
    }
  }
  return problems
}

const SERIES_NAMES: Record<string, string> = { INV: 'invoice', PRO: 'proforma', CN: 'credit_note' }
const NUMBER = /^([A-Z]+-\d{4})-(\d{6})$/

/** Document numbers by series and year (`INV-2026`): how many of each. */
function seriesCounts(numbers: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const n of numbers) {
    const series = NUMBER.exec(n)?.[1]
    if (series) counts.set(series, (counts.get(series) ?? 0) + 1)
  }
  return counts
}

/** Each series and year must be numbered 1…n: no gap, no duplicate, nothing malformed. */
export function numberingProblems(numbers: readonly string[]): string[] {
  const problems: string[] = []
  const bySeries = new Map<string, number[]>()
  for (const n of numbers) {
    const m = NUMBER.exec(n)
    if (!m) {
      problems.push(`document number ${n} is not <SERIES>-<YEAR>-<6 digits>`)
      continue
    }
    bySeries.set(m[1]!, [...(bySeries.get(m[1]!) ?? []), Number(m[2])])
  }
  for (const [series, got] of bySeries) {
    got.sort((a, b) => a - b)
    const wrong = got.findIndex((n, i) => n !== i + 1)
    if (wrong >= 0)
      problems.push(`${series} numbers are not 1…${got.length}: at #${wrong + 1} found ${got[wrong]}`)
  }
  return problems
}

function balanceProblems(doc: StoreDoc): string[] {
  const problems: string[] = []
  const sum = (amounts: number[]) => amounts.reduce((a, b) => a + b, 0)
  for (const sub of Object.values(doc.subscribers)) {
    const payments = Object.values(doc.payments).filter((p) => p.subscriberId === sub.id)
    const charged = Object.values(doc.topUps).filter(
      (t) => t.subscriberId === sub.id && t.chargeTo === 'balance',
    )
    const expected = sum(payments.map((p) => p.amount.amount)) - sum(charged.map((t) => t.price.amount))
    if (sub.balance.amount !== expected) {
      problems.push(`subscriber ${sub.id}: balance ${sub.balance.amount}, payments − charges = ${expected}`)
    }
    const ledger = Object.values(doc.ledger).filter((l) => l.subscriberId === sub.id)
    const ledgerSum = sum(ledger.map((l) => l.amount.amount))
    if (ledgerSum !== sub.balance.amount) {
      problems.push(`subscriber ${sub.id}: ledger sums to ${ledgerSum}, balance is ${sub.balance.amount}`)
    }
    const refs = (kind: string) =>
      ledger
        .filter((l) => l.kind === kind)
        .map((l) => l.ref)
        .sort()
        .join()
    if (
      refs('payment') !==
      payments
        .map((p) => p.id)
        .sort()
        .join()
    ) {
      problems.push(`subscriber ${sub.id}: payment ledger entries do not match its payments one to one`)
    }
    if (
      refs('topup_charge') !==
      charged
        .map((t) => t.id)
        .sort()
        .join()
    ) {
      problems.push(`subscriber ${sub.id}: charge ledger entries do not match its balance top-ups one to one`)
    }
  }
  return problems
}
