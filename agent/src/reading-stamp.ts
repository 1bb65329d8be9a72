/** The time a counter reading is booked at: the agent's clock, or a free window's edge it was read for. */
import type { CounterReading } from './drivers/driver.js'

/**
 * How late a poll scheduled for a free window's start or end may run and still be stamped at it:
 * a timer fires a few ms late, and those bytes go with the time before the boundary. Later than
 * this (a stalled process), the reading keeps its own time.
 */
export const BOUNDARY_SLACK_MS = 2000

export interface StampInput {
  /** The agent's clock when the read began and when it ended. */
  startedAtMs: number
  endedAtMs: number
  /** The window edge the poll was scheduled for, if any. */
  boundaryMs?: number
  /** The last reading's time: a stamp never goes before it. */
  lastAtMs?: number
}

/**
 * Stamps `reading` in place (the driver may cache its listing by the object's identity): at the
 * boundary when the read began within BOUNDARY_SLACK_MS after it and after the last reading,
 * otherwise by the agent's clock.
 */
export function stampReading(reading: CounterReading, input: StampInput): CounterReading {
  const { startedAtMs, endedAtMs, boundaryMs, lastAtMs } = input
  const late = boundaryMs === undefined ? undefined : startedAtMs - boundaryMs
  const afterLast = boundaryMs !== undefined && boundaryMs > (lastAtMs ?? Number.NEGATIVE_INFINITY)
  if (late !== undefined && late >= 0 && late <= BOUNDARY_SLACK_MS && afterLast) {
    reading.startedAtMs = boundaryMs
    reading.atMs = boundaryMs as number
  } else {
    reading.startedAtMs = startedAtMs
    reading.atMs = endedAtMs
  }
  return reading
}
