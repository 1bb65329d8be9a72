/** A FIFO async mutex: one holder at a time, in arrival order. */
import { setImmediate as nextTurn } from 'node:timers/promises'

export class Mutex {
  private tail: Promise<void> = Promise.resolve()
  /** Callers holding the lock or waiting for it. */
  private holders = 0

  /**
   * A holder that waited starts on a later turn of the event loop: a queue of holders handing the
   * lock on through promise callbacks alone would keep timers and sockets out until it is empty
   * (a burst of usage batches held the loop for a second and more).
   */
  async lock(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((resolve) => {
      release = () => {
        this.holders--
        resolve()
      }
    })
    const previous = this.tail
    this.tail = previous.then(() => next)
    const contended = this.holders > 0
    this.holders++
    await previous
    if (contended) await nextTurn()
    return release
  }
}
