/**
 * The store as one in-memory document: transactions run one at a time under a mutex, are undone
 * on failure, and on success wait for a group commit to make them durable before they resolve.
 * What a commit writes is the transaction's changes (a write-ahead log line), so its cost is the
 * size of the change. Once the log has grown enough, the document as of one version is written as
 * a snapshot in the background, a slice at a time, while commits go on appending to the log; once
 * the snapshot is durable the log is cut to the records after it. With no persistence it is a
 * purely in-memory store (tests).
 */
import { RecordBuffer } from '@capd/durable'
import { LoopBreather } from '@capd/protocol'
import { ChangeLog } from './change-log.js'
import { type Commit, CommitListeners, CommitNotes } from './commit-notes.js'
import type { Data } from './data.js'
import { type DocumentView, viewDocument } from './document-view.js'
import { type Batch, GroupCommit } from './group-commit.js'
import { MemoryTable } from './memory-table.js'
import { memoryTx } from './memory-tx.js'
import { Mutex } from './mutex.js'
import type { Store, StoreHealth, StoreWrite, Tx } from './store.js'
import type { RedoOp } from './wal-file.js'

export class StoreFailedError extends Error {
  constructor(cause: Error) {
    super(`the store can no longer write (${cause.message}); restart the controller`, { cause })
    this.name = 'StoreFailedError'
  }
}

/** Where committed changes go. */
export interface Persistence {
  /** Appends framed log records (one per transaction) and makes them durable. */
  append(framed: Uint8Array): Promise<void>
  /** Whether the log has grown enough that a snapshot is worth its cost. */
  wantsSnapshot(): boolean
  /**
   * Durably writes the document as `view` holds it (it records the version it holds) in place of
   * the last snapshot. Appends go on meanwhile; the log is left as it is.
   */
  snapshot(view: DocumentView): Promise<void>
  /** Where the log ends now: a position keepLogFrom can be given. */
  logSize(): number
  /**
   * Keeps the log from `offset` (a logSize it had) on, the records after the snapshot now in
   * place, and drops those before; the log's end empties it.
   */
  keepLogFrom(offset: number): Promise<void>
  close(): Promise<void>
}

interface PendingBatch extends Batch {
  records: RecordBuffer
}

/** Changes logged between looks at the clock (see logRecord). */
const OPS_PER_BREATH = 50

/** A log buffer that grew past this is let go once written rather than kept for the next batch. */
const KEEP_BUFFER_BYTES = 16 << 20

/**
 * A snapshot being written: its version, and where in the log the first batch it does not hold
 * begins (undefined: none appended yet). The log keeps its bytes from there on once the snapshot
 * is in place; they are never held in memory or framed again.
 */
interface RunningSnapshot {
  version: number
  tailStart?: number
}

export class DocumentStore implements Store {
  private readonly mutex = new Mutex()
  private readonly breather = new LoopBreather()
  private readonly commit: GroupCommit<PendingBatch>
  private changes = new ChangeLog()
  /** What the running transaction hands on once committed (see onCommit). */
  private notes: CommitNotes
  /** Log records of committed transactions not yet handed to a write. */
  private pending = new RecordBuffer()
  /** The buffer of the last batch written, emptied, for the one after the next (see write). */
  private spare: RecordBuffer | undefined
  private readonly tx: Tx
  /** The tables a snapshot freezes copy-on-write (the rest of the document is small and copied). */
  private readonly tables: MemoryTable<{ id: string }>[]
  private running: RunningSnapshot | undefined
  private snapshotDone: Promise<void> = Promise.resolve()
  /** Appends and log cuts, one at a time: a cut must not lose an append running beside it. */
  private logWrites: Promise<unknown> = Promise.resolve()
  private closed = false
  private failureListeners: ((err: StoreFailedError) => void)[] = []
  private writeListeners: ((write: StoreWrite) => void)[] = []
  private readonly commitListeners = new CommitListeners()

  constructor(
    private readonly data: Data,
    private readonly persistence: Persistence | null,
  ) {
    this.commit = new GroupCommit(
      () => this.collect(),
      (batch) => this.write(batch),
      data.committedVersion ?? 0,
    )
    this.notes = this.freshNotes()
    this.tx = this.buildTx()
    // A set: one table may be reachable under two names.
    this.tables = [...new Set(Object.values(this.tx).filter((part) => part instanceof MemoryTable))]
  }

  async transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const release = await this.mutex.lock()
    let version: number
    let result: T
    let notes: CommitNotes
    try {
      if (this.commit.failed) throw new StoreFailedError(this.commit.failed)
      this.changes = new ChangeLog()
      notes = this.notes = this.freshNotes()
      this.breather.restart()
      try {
        result = await fn(this.tx)
        // Logged before the version is taken: a change that cannot be logged (a value JSON cannot
        // write) is rolled back like a throw and leaves no gap in the log's versions.
        if (this.changes.changed && this.persistence)
          await logRecord(this.pending, this.commit.current + 1, this.changes.ops, this.breather)
      } catch (err) {
        this.changes.rollback()
        this.notes = this.freshNotes()
        throw err
      }
      // A read-only transaction may have seen changes not yet on disk: it waits for them too.
      if (this.changes.changed) {
        version = this.commit.bump()
      } else {
        version = this.commit.current
      }
      this.changes = new ChangeLog()
    } finally {
      release()
    }
    try {
      await this.commit.durable(version)
    } catch (err) {
      const failure = new StoreFailedError(err as Error)
      for (const listener of this.failureListeners) listener(failure)
      throw failure
    }
    if (!notes.empty) this.commitListeners.announce(notes.commit())
    return result
  }

  /**
   * Calls `listener` after each durable commit that changed a subscriber's limit inputs, with
   * their ids, before the transaction's promise resolves. Returns a function that unsubscribes.
   */
  onCommit(listener: (commit: Commit) => void): () => void {
    return this.commitListeners.add(listener)
  }

  private freshNotes(): CommitNotes {
    return new CommitNotes(this.data.subscribers)
  }

  /** Told of each durable write once it is done (see Store.onWrite). */
  onWrite(listener: (write: StoreWrite) => void): void {
    this.writeListeners.push(listener)
  }

  /** Called when a write fails: the owner should stop the process (see GroupCommit). */
  onFailure(listener: (err: StoreFailedError) => void): void {
    this.failureListeners.push(listener)
  }

  health(): StoreHealth {
    const state = this.commit.failed ? 'failed' : this.closed ? 'closed' : 'open'
    return { state, writingMs: this.commit.writingMs }
  }

  async peek<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed')
    const release = await this.mutex.lock()
    try {
      this.changes = new ChangeLog()
      const result = await fn(this.tx)
      if (this.changes.changed) {
        this.changes.rollback()
        throw new Error('peek() must not write')
      }
      return result
    } finally {
      release()
    }
  }

  /** Resolves once the snapshot being written in the background, if any, is in place and the log cut. */
  async snapshotSettled(): Promise<void> {
    await this.snapshotDone
  }

  /** Writes what is pending, then a snapshot so the next start reads one file, and lets go. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const persistence = this.persistence
    if (persistence && !this.commit.failed) {
      await this.commit.durable(this.commit.current).catch(() => {})
      await this.snapshotDone
      if (!this.commit.failed) {
        const release = await this.mutex.lock()
        try {
          const view = viewDocument(this.data, this.tables, this.commit.current)
          try {
            await persistence.snapshot(view)
          } finally {
            view.release()
          }
          await this.serialLog(() => persistence.keepLogFrom(persistence.logSize()))
        } finally {
          release()
        }
      }
    }
    await persistence?.close()
  }

  /** Takes the pending log lines under the lock, and starts a snapshot if the log has grown enough. */
  private async collect(): Promise<PendingBatch> {
    const release = await this.mutex.lock()
    try {
      const version = this.commit.current
      const records = this.pending
      this.pending = this.spare ?? new RecordBuffer()
      this.spare = undefined
      if (!this.running && this.persistence?.wantsSnapshot()) this.startSnapshot(this.persistence, version)
      return { version, records }
    } finally {
      release()
    }
  }

  /**
   * Freezes the document at `version` (no transaction is running: the caller holds the lock) and
   * writes it in the background. Every line up to `version` is in this batch or an earlier one;
   * every later batch is after it, and is what the log keeps once the snapshot is in place.
   */
  private startSnapshot(persistence: Persistence, version: number): void {
    const view = viewDocument(this.data, this.tables, version)
    const running: RunningSnapshot = { version }
    this.running = running
    const startedMs = performance.now()
    const written = (async () => {
      try {
        await persistence.snapshot(view)
      } finally {
        view.release()
      }
      // Only now, with the snapshot renamed into place: a reader (capd backup) that read the old
      // one sees either the whole log or, reading after the rename, a different snapshot.
      await this.serialLog(async () => {
        await persistence.keepLogFrom(running.tailStart ?? persistence.logSize())
        this.running = undefined
      })
      this.announceWrite({ kind: 'snapshot', seconds: (performance.now() - startedMs) / 1000 })
    })()
    this.snapshotDone = written.catch((err: unknown) => this.fail(err))
  }

  private async write(batch: PendingBatch): Promise<void> {
    const persistence = this.persistence
    if (!persistence || batch.records.size === 0) return
    await this.serialLog(async () => {
      const startedMs = performance.now()
      // Batches are appended in version order: the first one past the snapshot starts its tail.
      if (this.running && batch.version > this.running.version)
        this.running.tailStart ??= persistence.logSize()
      await persistence.append(batch.records.framed())
      // Written: its memory serves the next batch but one (one batch is written at a time).
      batch.records.clear()
      if (batch.records.capacity <= KEEP_BUFFER_BYTES) this.spare = batch.records
      this.announceWrite({ kind: 'log', seconds: (performance.now() - startedMs) / 1000 })
    })
  }

  private serialLog<R>(task: () => Promise<R>): Promise<R> {
    const result = this.logWrites.then(task)
    this.logWrites = result.catch(() => {})
    return result
  }

  private announceWrite(write: StoreWrite): void {
    for (const listener of this.writeListeners) listener(write)
  }

  /**
   * A snapshot that could not be written loses nothing (the log still holds every commit), but a
   * disk that refuses it will refuse the log next: the store fails as for a failed append.
   */
  private fail(err: unknown): void {
    const failure = new StoreFailedError(this.commit.poison(err))
    for (const listener of this.failureListeners) listener(failure)
  }

  private buildTx(): Tx {
    return memoryTx(this.data, {
      log: () => this.changes,
      notes: () => this.notes,
      breathe: () => this.breather.breathe(),
    })
  }
}

/**
 * Logs one transaction as the record `{"v":<version>,"ops":[…]}`, a change at a time, letting the
 * loop turn between slices: a transaction of 1,000 subscribers is megabytes of JSON (~20 ms),
 * never built as one string. The store's lock is held throughout, so no batch is taken mid-record.
 */
async function logRecord(
  out: RecordBuffer,
  version: number,
  ops: readonly RedoOp[],
  breather: LoopBreather,
): Promise<void> {
  out.begin()
  try {
    out.write(`{"v":${version},"ops":[`)
    for (let i = 0; i < ops.length; i++) {
      if (i > 0) out.write(',')
      out.write(JSON.stringify(ops[i]))
      if (i % OPS_PER_BREATH === OPS_PER_BREATH - 1) await breather.breathe()
    }
    out.write(']}')
    out.finish()
  } catch (err) {
    out.abort()
    throw err
  }
}
