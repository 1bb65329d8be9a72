/** What changed, for pages that update themselves: published after commits, read by the event streams. */

export type Change =
  /** Usage, state, limits or billing of these subscribers. */
  | { kind: 'subscribers'; ids: readonly string[] }
  /** An agent connected, disconnected, was enrolled or revoked. */
  | { kind: 'agents' }

export type ChangeListener = (change: Change) => void

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>()

  /** Subscriptions held per viewer (see subscribeAs). */
  private readonly viewers = new Map<string, number>()

  /** Calls `listener` for every later change until the returned function is called. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** As subscribe, on behalf of `viewer`, unless it already holds `max` subscriptions: then undefined. */
  subscribeAs(viewer: string, max: number, listener: ChangeListener): (() => void) | undefined {
    const held = this.viewers.get(viewer) ?? 0
    if (held >= max) return undefined
    this.viewers.set(viewer, held + 1)
    const unsubscribe = this.subscribe(listener)
    let done = false
    return () => {
      if (done) return
      done = true
      unsubscribe()
      const left = (this.viewers.get(viewer) ?? 1) - 1
      if (left > 0) this.viewers.set(viewer, left)
      else this.viewers.delete(viewer)
    }
  }

  publish(change: Change): void {
    if (change.kind === 'subscribers' && change.ids.length === 0) return
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        // A broken stream must not stop the others, nor the commit that published.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}
