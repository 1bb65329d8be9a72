/**
 * A poll's reading of the router that a pushed limit may stop: listing 10k subscribers takes nft
 * most of a CPU for most of a second, and on a small box a top-up's own nft change waited for the
 * CPU behind it. The reading stopped is taken again once the pushes are through, this time to its
 * end, so steady pushes cannot starve the poll.
 */
import type { CounterReading, RouterDriver } from './drivers/driver.js'

export class ReadGivingWay {
  private stop: AbortController | undefined

  constructor(
    private readonly driver: RouterDriver,
    /** Resolves once the pushed limits waiting now are applied (not any that come after). */
    private readonly pushesDone: () => Promise<void>,
    private readonly now: () => number,
  ) {}

  /** A pushed limit waits for the router: a reading under way stops. */
  pushWaiting(): void {
    this.stop?.abort(new ReadingStopped())
  }

  /**
   * The reading, when the one that made it began (by `now`) and how long it took (ms). A reading for
   * a free-window edge is never stopped: taken after the pushes, it could be stamped past the edge.
   */
  async read(stoppable: boolean): Promise<{ reading: CounterReading; startedAtMs: number; tookMs: number }> {
    if (stoppable) {
      const stop = new AbortController()
      this.stop = stop
      try {
        return await this.timed(stop.signal)
      } catch (error) {
        if (!(stop.signal.aborted && error === stop.signal.reason)) throw error
      } finally {
        this.stop = undefined
      }
      await this.pushesDone()
    }
    return this.timed()
  }

  private async timed(signal?: AbortSignal) {
    const startedAtMs = this.now()
    const began = performance.now()
    const reading = await this.driver.readCounters(signal)
    return { reading, startedAtMs, tookMs: performance.now() - began }
  }
}

export class ReadingStopped extends Error {
  override readonly name = 'ReadingStopped'
  constructor() {
    super('the reading stopped for a pushed limit')
  }
}
