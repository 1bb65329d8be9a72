/**
 * Which controller the link dials next when it knows several: the same one while it works, the
 * next in the list when it fails or drops, a backoff only once a whole round has failed. It goes
 * back to an earlier controller only by failing over again, never because that one came back:
 * agents do not flap between controllers that share one store.
 */
export class ControllerRotation {
  private index = 0
  /** Controllers dialled in this round, the current one included. */
  private tried = 1
  /** Controllers whose latest answer was a refusal of the token (HTTP 401/403). */
  private readonly refusedBy = new Set<number>()

  constructor(readonly urls: readonly string[]) {
    if (urls.length === 0) throw new Error('ControllerRotation: no controller URL')
  }

  get current(): string {
    return this.urls[this.index]!
  }

  /** The current controller took the connection (its refusal, if any, is forgotten). */
  opened(): void {
    this.refusedBy.delete(this.index)
  }

  /** The connection proved useful: a failure from now on starts a new round from here. */
  proven(): void {
    this.tried = 1
  }

  /**
   * The current controller could not be reached, refused or dropped the connection: moves on to
   * the next. `roundOver` says every controller failed since the round began (wait before the
   * next); `allRefused` that every controller's latest answer refused the token.
   */
  failed(refused: boolean): { roundOver: boolean; allRefused: boolean } {
    if (refused) this.refusedBy.add(this.index)
    else this.refusedBy.delete(this.index)
    this.index = (this.index + 1) % this.urls.length
    const roundOver = this.tried >= this.urls.length
    this.tried = roundOver ? 1 : this.tried + 1
    return { roundOver, allRefused: this.refusedBy.size === this.urls.length }
  }
}
