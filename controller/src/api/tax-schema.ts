/** A tax as the API speaks it (`{ratePercent, inclusive}`), stored as a TaxRule in basis points. */
import { z } from 'zod'
import type { TaxRule } from '../store/entities.js'

/** Percent with at most two decimals, so it fits basis points exactly (16.5 → 1650). */
const RatePercent = z
  .number()
  .min(0, 'must be between 0 and 100')
  .max(100, 'must be between 0 and 100')
  .refine((r) => Math.abs(r * 100 - Math.round(r * 100)) < 1e-6, 'may have at most 2 decimals')

export const TaxInput = z
  .strictObject({ ratePercent: RatePercent, inclusive: z.boolean() })
  .transform((t): TaxRule => ({ rateBp: Math.round(t.ratePercent * 100), inclusive: t.inclusive }))

/** The API's view of a rule: the rate back in percent. */
export const taxView = (rule: TaxRule | undefined) =>
  rule ? { ratePercent: rule.rateBp / 100, inclusive: rule.inclusive } : null
