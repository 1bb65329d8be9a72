/**
 * What the ledger looks like on disk: the whole file (radius-ledger.json) and the change records
 * its log holds between two whole files. A change carries absolute values (a session's totals, a
 * counter's, null for one deleted), so applying one twice, or over a file that already has it,
 * changes nothing.
 */
import { z } from 'zod'

const Digits = z.string().regex(/^\d{1,20}$/)
export const SessionData = z.strictObject({
  login: z.string(),
  nas: z.string(),
  down: Digits,
  up: Digits,
  startMs: z.number(),
  seenMs: z.number(),
  address: z.string().optional(),
  endedMs: z.number().optional(),
  /** `nas`: ended by the NAS's Accounting-On/Off, after which it may reuse the session id. */
  endedBy: z.enum(['stop', 'nas', 'silence']).optional(),
})
export type SessionData = z.infer<typeof SessionData>
export const CounterData = z.strictObject({ id: z.string(), login: z.string(), down: Digits, up: Digits })
export type CounterData = z.infer<typeof CounterData>

export const LedgerFile = z.strictObject({
  v: z.literal(1),
  generation: z.string().min(1),
  createdAtMs: z.number(),
  forgottenStartMs: z.number(),
  nextCounter: z.number().int().nonnegative(),
  /** The last log record this file holds (absent in files written before the log: 0). */
  logSeq: z.number().int().nonnegative().optional(),
  counters: z.record(z.string(), CounterData),
  sessions: z.record(z.string(), SessionData),
})
export type LedgerFile = z.infer<typeof LedgerFile>

/** One log record: what changed in one group commit. */
export const LedgerChange = z.strictObject({
  /** The ledger's generation: a log left beside another ledger's file is refused, never applied. */
  g: z.string().min(1),
  /** Records are numbered 1, 2, 3…; the file says up to which one it holds them. */
  seq: z.number().int().positive(),
  forgottenStartMs: z.number(),
  nextCounter: z.number().int().nonnegative(),
  counters: z.record(z.string(), CounterData.nullable()),
  sessions: z.record(z.string(), SessionData.nullable()),
})
export type LedgerChange = z.infer<typeof LedgerChange>
