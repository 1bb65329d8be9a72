/**
 * Sends journalled usage to the controller in batches, at most MAX_BATCHES_IN_FLIGHT ahead of the
 * acks: a slow controller then gets fewer, larger batches instead of a pile it would refuse.
 */
import { MAX_USAGE_ENTRIES, PROTOCOL_VERSION, type UsageEntry } from '@capd/protocol'
import type { ControllerLink } from './controller-link.js'
import type { AgentState } from './state/checkpoint.js'
import type { Journal, JournalEntry } from './state/journal.js'

/** Usage batches sent ahead of the acks; well under what the controller lets wait (64 messages). */
const MAX_BATCHES_IN_FLIGHT = 8

export class UsageSender {
  private sentSeq = 0
  /** Last seq of each usage batch sent on this connection and not yet acked. */
  private inFlight: number[] = []

  constructor(
    private readonly link: ControllerLink,
    private readonly journal: Journal,
    private readonly state: AgentState,
  ) {}

  /**
   * A new connection (or a sync) resumes right after the last ack: what was sent before may be
   * lost, and a later seq first would be booked past the gap and the rest ignored.
   */
  restart(): void {
    this.sentSeq = 0
    this.inFlight = []
  }

  /** The controller acked through the state's `ackedSeq`: room for more batches. */
  acked(): void {
    this.inFlight = this.inFlight.filter((seq) => seq > this.state.ackedSeq)
  }

  /**
   * Tells the controller a sync was applied. Polls wait in the same queue as controller messages,
   * and seqs are given when a delta is journalled: every entry of a subscriber the sync dropped
   * (sent, unsent or coalescing) has a seq up to the journal's now, and none is journalled for it
   * from now on. The controller bounds what it books for a moved subscriber by it.
   */
  answerSync(syncId: string): void {
    this.link.send({ v: PROTOCOL_VERSION, type: 'synced', syncId, journalSeq: this.journal.seq })
  }

  /** Sends what is journalled and not yet sent, as far as the window allows. */
  send(): void {
    if (!this.link.connected) return
    while (this.inFlight.length < MAX_BATCHES_IN_FLIGHT) {
      const after = Math.max(this.sentSeq, this.state.ackedSeq)
      const batch = this.journal.pending(after, MAX_USAGE_ENTRIES).map(toUsageEntry)
      if (batch.length === 0) return
      const lastSeq = batch[batch.length - 1]!.seq
      // Sealed before it leaves: no later delta may join an entry the controller may have booked.
      this.journal.seal(lastSeq)
      if (!this.link.send({ v: PROTOCOL_VERSION, type: 'usage', epoch: this.state.epoch, entries: batch }))
        return
      this.sentSeq = lastSeq
      this.inFlight.push(this.sentSeq)
    }
  }
}

/**
 * The controller booked seqs of this epoch that this journal never numbered: the state dir is older
 * than what the agent once sent (a restored backup, a copied machine). Entries it numbers up to
 * `seq` are ones the controller already holds and ignores; only a new epoch ends that.
 */
export function ackAheadWarning(seq: number, epoch: string, journalSeq: number, stateDir: string): string {
  return `capd agent: WARNING: the controller has booked seq ${seq} of journal epoch ${epoch}, but this journal reached ${journalSeq}: ${stateDir} is older than what this agent once sent (restored from a backup or copied?). The controller ignores the entries this agent numbers up to seq ${seq}. Stop the agent and move ${stateDir} aside: it then starts a new epoch from the router's counters.`
}

function toUsageEntry({ counter: _, ...entry }: JournalEntry): UsageEntry {
  return entry
}
