/** The allowance terms of a plan as the API takes them: cap action, normal speed, direction, draw order, rollover, free hours. */
import { ByteCount, MAX_FREE_HOURS_PER_DAY } from '@capd/protocol'
import { z } from 'zod'
import { TINY_BELOW_BYTES, tinyMessage } from './tiny-bytes.js'

/** Most free-hour windows per plan: the protocol's, so every period's windows fit in one limit. */
export const MAX_FREE_HOURS = MAX_FREE_HOURS_PER_DAY
/** Most periods rolled-over data may last. */
export const MAX_ROLLOVER_PERIODS = 24

export const Kbps = z
  .number()
  .int('must be a whole number of kbit/s')
  .positive('must be more than 0 kbit/s')
  .max(100_000_000, 'must be at most 100000000 kbit/s')

export const CapActionInput = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('block') }),
    z.strictObject({ kind: z.literal('throttle_kbps'), kbps: Kbps }),
    z.strictObject({
      kind: z.literal('throttle_percent'),
      percent: z
        .number()
        .int('must be a whole percentage')
        .min(1, 'must be from 1 to 99')
        .max(99, 'must be from 1 to 99'),
    }),
  ])
  .describe(
    'At the cap: {kind:"block"}, {kind:"throttle_kbps", kbps} (a fixed rate), or {kind:"throttle_percent", percent} ' +
      '(1–99 % of rateDownKbps/rateUpKbps, which rateDownKbps must then be given for).',
  )

export const CountInput = z
  .enum(['both', 'down', 'up'])
  .describe('Which direction draws from the allowance; absent = both.')

export const DrawOrderInput = z
  .enum(['plan_first', 'topups_first'])
  .describe(
    "Which is drawn first, the plan's data or top-ups; absent or null = the ISP's default (settings).",
  )

export const RolloverInput = z
  .strictObject({
    plan: z.boolean(),
    topUps: z.boolean(),
    maxBytes: ByteCount.refine((n) => n > 0, 'must be more than 0 bytes').optional(),
    periods: z
      .number()
      .int('must be a whole number of periods')
      .min(1, 'must be at least 1')
      .max(MAX_ROLLOVER_PERIODS, `must be at most ${MAX_ROLLOVER_PERIODS}`),
  })
  .refine((r) => r.plan || r.topUps, {
    message: 'must roll over plan data, top-up data or both (null for no rollover)',
  })
  .describe(
    'Unused data moved into the next period: plan data and/or top-up data, at most maxBytes (absent = one cap), ' +
      'lasting `periods` periods. Absent or null = nothing rolls over.',
  )

const ClockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, such as 06:00')

/** Minutes since midnight of an `HH:MM` already checked. */
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** A window as the half-open minute ranges it covers in one day; one spanning midnight is two. */
export function dayRanges(w: { from: string; to: string }): [number, number][] {
  const from = minutesOf(w.from)
  const to = minutesOf(w.to)
  if (to > from) return [[from, to]]
  const ranges: [number, number][] = [[from, 24 * 60]]
  if (to > 0) ranges.push([0, to])
  return ranges
}

const overlaps = (a: { from: string; to: string }, b: { from: string; to: string }) =>
  dayRanges(a).some(([a0, a1]) => dayRanges(b).some(([b0, b1]) => a0 < b1 && b0 < a1))

export const FreeHoursInput = z
  .array(
    z
      .strictObject({ from: ClockTime, to: ClockTime })
      .refine((w) => w.from !== w.to, { path: ['to'], message: 'must differ from `from`' }),
  )
  .max(MAX_FREE_HOURS, `must list at most ${MAX_FREE_HOURS} windows`)
  .superRefine((list, ctx) => {
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++)
        if (list[i]!.from !== list[i]!.to && list[j]!.from !== list[j]!.to && overlaps(list[i]!, list[j]!))
          ctx.addIssue({
            code: 'custom',
            path: [j],
            message: `${list[j]!.from}–${list[j]!.to} overlaps ${list[i]!.from}–${list[i]!.to}`,
          })
  })
  .describe(
    "Daily windows in the ISP's time zone whose usage draws from nothing: [{from:'HH:MM', to:'HH:MM'}], at most 3, " +
      'not overlapping; `to` before `from` spans midnight. Absent or [] = none.',
  )

/** The tiny-amount rule (see tiny-bytes.ts) for a rollover's most: under 1 MB needs `allowTiny`. */
export function refuseTinyRollover(
  value: { allowTiny?: boolean | undefined; rollover?: { maxBytes?: number | undefined } | null | undefined },
  ctx: z.RefinementCtx,
): void {
  const maxBytes = value.rollover?.maxBytes
  if (value.allowTiny === true || maxBytes === undefined || maxBytes >= TINY_BELOW_BYTES) return
  ctx.addIssue({ code: 'custom', path: ['rollover', 'maxBytes'], message: tinyMessage(maxBytes) })
}
