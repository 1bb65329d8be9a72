/** The agent's `problems` report: rules it skipped at the router (each with why) while enforcing all the others. */
import { z } from 'zod'
import { EpochMs, Id } from './wire-fields.js'

/** The largest problem list in one message; the rest are only counted (`omitted`). */
export const MAX_PROBLEMS = 1000

/**
 * One rule the agent could not apply. Codes so far: `invalid_address` (not an address a subscriber
 * may have), `address_overlap` (overlaps a subscriber the agent held first), `invalid_rule` (any other
 * reason). A code is a string on the wire so that a newer agent's code does not break an older controller.
 */
export const RuleProblem = z.strictObject({
  subscriberId: Id,
  code: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'code must be 1–64 characters of a–z, 0–9, "_"' }),
  message: z.string().min(1).max(500),
})
export type RuleProblem = z.infer<typeof RuleProblem>

/**
 * Every rule the agent skips now: absolute, so the newest report replaces the one before and an empty
 * list says all are applied. Sent when the list changes, and after each sync while it is not empty (an
 * agent with nothing to report never sends one).
 */
export const Problems = z.strictObject({
  v: z.literal(1, { error: 'v must be 1' }),
  type: z.literal('problems'),
  atMs: EpochMs,
  problems: z
    .array(RuleProblem)
    .max(MAX_PROBLEMS, { error: `problems must hold at most ${MAX_PROBLEMS} items` }),
  /** Problems beyond MAX_PROBLEMS, counted but not listed. */
  omitted: z.number().int().nonnegative().optional(),
})
export type Problems = z.infer<typeof Problems>
