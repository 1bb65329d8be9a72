/**
 * Which counted bytes draw from a subscriber's allowance: the plan's direction (both, download
 * only, upload only), and nothing read inside a free window. The agent and the controller apply
 * the same rule to the same journal entry (its down, up and `atMs`), so they agree byte for byte.
 */
import { z } from 'zod'
import { IsoInstant } from './wire-fields.js'

export const CountDirection = z.enum(['both', 'down', 'up'])
export type CountDirection = z.infer<typeof CountDirection>

/** Most windows one limit carries: a 31-day period with three windows a day, and slack. */
export const MAX_FREE_WINDOWS = 100

export const FreeWindow = z
  .strictObject({ start: IsoInstant, end: IsoInstant })
  .refine((w) => w.end > w.start, { error: 'a free window must end after it starts', path: ['end'] })
export type FreeWindow = z.infer<typeof FreeWindow>

export const FreeWindows = z
  .array(FreeWindow)
  .max(MAX_FREE_WINDOWS, { error: `freeWindows must hold at most ${MAX_FREE_WINDOWS} windows` })
  .superRefine((windows, ctx) => {
    for (let i = 1; i < windows.length; i++) {
      if (windows[i]!.start < windows[i - 1]!.end) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'start'],
          message: 'free windows must be in order and must not overlap',
        })
        return
      }
    }
  })

/** The same windows as epoch milliseconds (the controller keeps them so in its limit terms). */
export interface FreeWindowMs {
  startMs: number
  endMs: number
}

/** What decides which bytes draw: the parts of a limit (or of the controller's terms) that matter. */
export interface DrawRule {
  count?: CountDirection | undefined
  freeWindows?: readonly FreeWindowMs[] | undefined
}

/**
 * A reading at `atMs` covers the time since the one before it, so it belongs to a window when
 * start < atMs ≤ end. The agent reads its counters exactly at each window's start and end, so no
 * reading spans a boundary.
 */
export function inFreeWindow(windows: readonly FreeWindowMs[] | undefined, atMs: number): boolean {
  if (!windows) return false
  for (const w of windows) if (w.startMs < atMs && atMs <= w.endMs) return true
  return false
}

/** The bytes of one reading that draw from the allowance. */
export function drawnBytes(rule: DrawRule, down: number, up: number, atMs: number): number {
  if (inFreeWindow(rule.freeWindows, atMs)) return 0
  if (rule.count === 'down') return down
  if (rule.count === 'up') return up
  return down + up
}

/** Wire windows as milliseconds. */
export function freeWindowsMs(windows: readonly FreeWindow[] | undefined): FreeWindowMs[] | undefined {
  return windows?.map((w) => ({ startMs: Date.parse(w.start), endMs: Date.parse(w.end) }))
}

/** The draw rule of a limit as pushed (windows as ISO instants). */
export function drawRuleOf(limit: {
  count?: CountDirection | undefined
  freeWindows?: readonly FreeWindow[] | undefined
}): DrawRule {
  return { count: limit.count, freeWindows: freeWindowsMs(limit.freeWindows) }
}
