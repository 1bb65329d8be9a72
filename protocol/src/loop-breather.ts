/**
 * Lets the event loop turn once a piece of work has held it for a slice: a transaction booking a
 * thousand subscribers' usage would otherwise keep timers and sockets waiting until it is done.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** How long work may hold the loop before it lets it turn (ms). */
export const LOOP_SLICE_MS = 10

export class LoopBreather {
  private since = performance.now()

  /** Starts a new slice (a new transaction). */
  restart(): void {
    this.since = performance.now()
  }

  /** Whether the slice is over: breathe() would let the loop turn. */
  due(): boolean {
    return performance.now() - this.since >= LOOP_SLICE_MS
  }

  /** Resolves at once inside the slice; past it, on the loop's next turn. */
  async breathe(): Promise<void> {
    if (!this.due()) return
    await nextTurn()
    this.since = performance.now()
  }
}
