/** Request body of a bulk subscriber import: rows with the create fields, plan and agent by name. */
import { BillingDay } from '@capd/protocol'
import { z } from 'zod'
import { CreateSubscriber } from './schemas.js'

/** Rows one import takes; a larger file is imported in parts. */
export const MAX_IMPORT_ROWS = 20_000

const { name, login, email, phone, postalAddress, notes, address } = CreateSubscriber.shape

const Reference = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters')

/**
 * One subscriber as an import gives it, checked with the create schema's own field rules. No
 * password: imported subscribers get one from an operator (or none). An optional field left out
 * is left as it is on an existing subscriber.
 */
export const ImportRowInput = z.strictObject({
  line: z.number().int().positive().optional().describe('Where the row came from, echoed in the report.'),
  login,
  name,
  email,
  phone,
  postalAddress,
  notes,
  address: address.describe(
    'IPv4/IPv6 address or prefix. Absent: a new subscriber is known by its login (PPPoE, hotspot, RADIUS); an existing one keeps its address.',
  ),
  plan: Reference.describe('A plan on offer, by name.'),
  agent: Reference.describe('An agent by id or by name.'),
  billingDay: BillingDay.optional().describe(
    'Absent: 1 for a new subscriber, unchanged for an existing one.',
  ),
})

/** The body as it is read: rows are checked one by one, so one bad row does not hide the others. */
export const ImportBody = z.strictObject({
  dryRun: z.boolean(),
  rows: z
    .array(z.unknown())
    .min(1, 'give at least one row')
    .max(MAX_IMPORT_ROWS, `must hold at most ${MAX_IMPORT_ROWS} rows; import a larger file in parts`),
})

/** The body as the API documents it. */
export const ImportSubscribers = z.strictObject({
  dryRun: z.boolean().describe('true: check and report, change nothing.'),
  rows: z.array(ImportRowInput).min(1).max(MAX_IMPORT_ROWS),
})
