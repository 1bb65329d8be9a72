/** What changed, for pages that update themselves: published after commits, read by the event streams. */

export type Change =
  /** Usage, state, limits or billing of these subscribers. */
  | { kind: 'subscribers'; ids: readonly string[] }
  /** An agent connected, disconnected, was enrolled or revoked. */
  | { kind: 'agents' }

export type ChangeListener = (change: Change) => void

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>()

  /** Calls `listener` for every later change until the returned function is called. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
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
