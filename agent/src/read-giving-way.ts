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
    /** Resolves once no pushed limit is waiting or being applied. */
    private readonly pushesDone: () => Promise<void>,
    private readonly now: () => number,
  ) {}

  /** A pushed limit waits for the router: a reading under way stops. */
  pushWaiting(): void {
    this.stop?.abort(new ReadingStopped())
  }

  /** The reading, and when the one that made it began (by `now`). */
  async read(): Promise<{ reading: CounterReading; startedAtMs: number }> {
    const stop = new AbortController()
    this.stop = stop
    const startedAtMs = this.now()
    try {
      return { reading: await this.driver.readCounters(stop.signal), startedAtMs }
    } catch (error) {
      if (!(stop.signal.aborted && error === stop.signal.reason)) throw error
    } finally {
      this.stop = undefined
    }
    await this.pushesDone()
    const again = this.now()
    return { reading: await this.driver.readCounters(), startedAtMs: again }
  }
}

export class ReadingStopped extends Error {
  override readonly name = 'ReadingStopped'
  constructor() {
    super('the reading stopped for a pushed limit')
  }
}
