/** The syncs sent on one agent connection, by syncId, until the agent answers `synced` for one. */
import type { SentSync } from '../domain/move-bounds.js'

/** Syncs remembered for their answer; an answer to an older one is ignored like an unknown one. */
export const MAX_SENT_SYNCS = 16

export class SentSyncs {
  private readonly byId = new Map<string, SentSync>()

  /** Remembers a sync about to be sent; returns its fresh random syncId. */
  add(sentAtMs: number, given: ReadonlySet<string>): string {
    const syncId = crypto.randomUUID()
    this.byId.set(syncId, { sentAtMs, given: new Set(given) })
    for (const old of this.byId.keys()) {
      if (this.byId.size <= MAX_SENT_SYNCS) break
      this.byId.delete(old)
    }
    return syncId
  }

  /** The sync `syncId` names, once: undefined if unknown, forgotten or already answered. */
  take(syncId: string): SentSync | undefined {
    const sent = this.byId.get(syncId)
    this.byId.delete(syncId)
    return sent
  }
}
