/** Field schemas shared by the agent ↔ controller messages: ids, instants, and the down/up pair. */
import { z } from 'zod'

/** Agent, epoch and subscriber ids: short, and safe to use in file names, router comments and logs. */
export const Id = z
  .string({ error: 'id must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'id must be 1–64 characters of A–Z, a–z, 0–9, "_" or "-"' })
export type Id = z.infer<typeof Id>

/**
 * A UTC instant in exactly the form `Date.prototype.toISOString()` writes (`2026-03-01T00:00:00.000Z`).
 * One spelling per instant means ids like `periodStart` can be compared and used as keys as strings.
 */
export const IsoInstant = z.iso.datetime({
  precision: 3,
  error:
    'must be a UTC ISO timestamp with milliseconds, as written by Date.toISOString(), e.g. 2026-03-01T00:00:00.000Z',
})
export type IsoInstant = z.infer<typeof IsoInstant>

/** A UTC timestamp in milliseconds. */
export const EpochMs = z
  .number({ error: 'timestamp must be a number' })
  .int({ error: 'timestamp must be an integer number of milliseconds' })
  .nonnegative({ error: 'timestamp must not be negative' })
export type EpochMs = z.infer<typeof EpochMs>

/** A value per direction, always from the subscriber's point of view: `down` is what they receive. */
export type DownUp<T> = { down: T; up: T }

export function downUp<T extends z.ZodType>(schema: T) {
  return z.strictObject({ down: schema, up: schema })
}
