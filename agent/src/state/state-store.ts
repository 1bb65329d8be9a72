/**
 * The agent's state on disk, written incrementally: the checkpoint (`state.json`, the whole state)
 * plus the state log (`state.<gen>.log`), one checksummed record per save holding only what changed
 * (state-change.ts), appended and fsynced. Once the log outgrows the checkpoint, a new checkpoint
 * is written in the background from a snapshot while saves go on into the next generation's log;
 * once it is renamed into place, the older logs are deleted.
 *
 * Every crash leaves a checkpoint of generation g and the logs g, g+1, … after it (older ones are
 * stale: deleted on open), which replay, in order, to the state of the last save that resolved (or
 * of the one under way). A torn last record is cut and reported; damage refuses to open.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type LogLine, RecordLog } from '@capd/durable'
import { syncDir, writeFileAtomic } from './atomic-file.js'
import { type AgentState, readCheckpoint, saveCheckpoint, toStoredBaseline } from './checkpoint.js'
import { checkpointText } from './checkpoint-slices.js'
import { applyChange, type ChangedKeys, type StateChange, takeEntries, track } from './state-change.js'
import type { TrackedMap } from './tracked-map.js'

/** The log is compacted once it holds more than the checkpoint, and at least this much. */
const MIN_COMPACT_BYTES = 64 * 1024
const LOG_NAME = /^state\.(\d+)\.log$/

export interface StateStoreOptions {
  /** Log bytes below which it is never compacted (default 64 KiB; tests use less). */
  minCompactBytes?: number
}

interface Saved {
  epoch: string
  appliedSeq: number
  ackedSeq: number
  books: AgentState['books']
  baselines: AgentState['baselines']
  created: AgentState['created']
}

export class StateStore {
  /** Saves run one after another, in the order they were asked for. */
  private chain: Promise<void> = Promise.resolve()
  private compacting: Promise<void> | undefined
  /** The generation new records go to, and its log once opened. */
  private gen: number
  private log: RecordLog | undefined
  /** Generations on disk older than `gen` that no checkpoint covers yet, and their bytes. */
  private olderGens: number[] = []
  private olderBytes = 0
  private checkpointBytes: number
  private saved: Saved
  /** What the save under way had taken, to write again with the next one if it fails. */
  private unsaved: Saved | undefined
  private readonly minCompactBytes: number

  private constructor(
    private readonly dir: string,
    readonly state: AgentState,
    gen: number,
    log: RecordLog | undefined,
    checkpointBytes: number,
    private readonly report: LogLine,
    options: StateStoreOptions,
  ) {
    this.minCompactBytes = options.minCompactBytes ?? MIN_COMPACT_BYTES
    track(state)
    this.gen = gen
    this.log = log
    this.checkpointBytes = checkpointBytes
    this.saved = savedOf(state)
  }

  /**
   * Opens the state in `dir`: the checkpoint with the logs after it replayed, or undefined if there
   * is no checkpoint (logs left without one are reported and deleted: they belong to a state nobody
   * continues). `report` hears of those and of cut torn tails; damage throws LogCorruptError.
   */
  static async open(
    dir: string,
    report: LogLine,
    options: StateStoreOptions = {},
  ): Promise<StateStore | undefined> {
    const gens = await logGens(dir)
    const checkpoint = await readCheckpoint(join(dir, 'state.json'))
    if (!checkpoint) {
      if (gens.length > 0) {
        report(`capd agent: state log without state file; deleting ${gens.map(logName).join(', ')}`)
        await removeLogs(dir, gens)
      }
      return undefined
    }
    const { state } = checkpoint
    const stale = gens.filter((g) => g < checkpoint.logGen)
    if (stale.length > 0) await removeLogs(dir, stale)
    const live = gens.filter((g) => g >= checkpoint.logGen)
    let last: RecordLog | undefined
    for (const gen of live) {
      const opened = await RecordLog.open<StateChange>(join(dir, logName(gen)), 'agent state log', report)
      for (const change of opened.records) applyChange(state, change)
      last = opened.log
    }
    const gen = live.at(-1) ?? checkpoint.logGen
    const store = new StateStore(dir, state, gen, last, checkpoint.bytes, report, options)
    // An interrupted compaction: finish it now, before anything else is written.
    if (live.length > 1) {
      store.olderGens = live.slice(0, -1)
      store.switchGen()
      await store.compact(snapshotOf(state), store.gen)
    }
    return store
  }

  /** Starts a new state in `dir`: `state` written as the first checkpoint. */
  static async create(
    dir: string,
    state: AgentState,
    report: LogLine,
    options: StateStoreOptions = {},
  ): Promise<StateStore> {
    // After any generation still on disk, so nothing stale can ever be replayed onto it.
    const gen = Math.max(0, ...(await logGens(dir)).map((g) => g + 1))
    const bytes = await saveCheckpoint(join(dir, 'state.json'), state, gen)
    return new StateStore(dir, state, gen, undefined, bytes, report, options)
  }

  /** Bytes of log since the checkpoint, and the checkpoint's size (for tests and the bench). */
  get disk(): { logBytes: number; checkpointBytes: number; gen: number } {
    return {
      logBytes: this.olderBytes + (this.log?.size ?? 0),
      checkpointBytes: this.checkpointBytes,
      gen: this.gen,
    }
  }

  /**
   * Makes the state as it is now durable: one small record of what changed since the last save,
   * fsynced before this resolves. On failure nothing is lost: the next save writes it again.
   */
  save(): Promise<void> {
    const run = this.chain.then(() => this.append())
    this.chain = run.catch(() => {})
    return run
  }

  /** Waits for saves and a compaction under way (before another store opens the same dir). */
  async close(): Promise<void> {
    await this.chain
    await this.compacting
  }

  private async append(): Promise<void> {
    const { change, keys } = this.takeChange()
    if (!change) return
    const text = JSON.stringify(change)
    // Decided, and the snapshot taken, at the instant the change is: the snapshot is what this
    // record (and every earlier one) brings the state to, and later records go to the next log.
    const compactNow =
      !this.compacting &&
      this.olderBytes + (this.log?.size ?? 0) + text.length >
        Math.max(this.checkpointBytes, this.minCompactBytes)
    const snapshot = compactNow ? snapshotOf(this.state) : undefined
    try {
      this.log ??= (
        await RecordLog.open<StateChange>(this.logPath(this.gen), 'agent state log', this.report)
      ).log
      await this.log.append([text])
    } catch (err) {
      // What the failed append left (its truncation may have failed too) is cut as a torn tail when
      // the log is opened again for the next one, never followed by a record.
      this.log = undefined
      this.giveBack(change, keys)
      throw err
    }
    if (!snapshot) return
    this.switchGen()
    const gen = this.gen
    this.compacting = this.compact(snapshot, gen)
      .catch((err) => this.report(`capd agent: compacting the state log failed (retried later): ${err}`))
      .finally(() => {
        this.compacting = undefined
      })
  }

  /** Later records go to a new generation's log (opened on the first append). */
  private switchGen(): void {
    this.olderGens.push(this.gen)
    this.olderBytes += this.log?.size ?? 0
    this.gen++
    this.log = undefined
  }

  /** Writes `snapshot` as the checkpoint that `gen`'s log follows, then deletes the logs it covers. */
  private async compact(snapshot: AgentState, gen: number): Promise<void> {
    const text = await checkpointText(snapshot, gen)
    await writeFileAtomic(join(this.dir, 'state.json'), text)
    this.checkpointBytes = Buffer.byteLength(text)
    const covered = this.olderGens.filter((g) => g < gen)
    this.olderGens = this.olderGens.filter((g) => g >= gen)
    this.olderBytes = 0
    // Stale now: a crash before they are gone only leaves them for the next open to delete.
    await removeLogs(this.dir, covered, false)
  }

  private takeChange(): { change: StateChange | undefined; keys: ChangedKeys } {
    const { state, saved } = this
    const books = takeEntries(state.books, saved.books, (b) => b)
    const baselines = takeEntries(state.baselines, saved.baselines, toStoredBaseline)
    const created = takeEntries(state.created, saved.created, (c) => c)
    track(state)
    const change: StateChange = {}
    if (state.epoch !== saved.epoch) change.epoch = state.epoch
    if (state.appliedSeq !== saved.appliedSeq) change.appliedSeq = state.appliedSeq
    if (state.ackedSeq !== saved.ackedSeq) change.ackedSeq = state.ackedSeq
    if (books.entries) change.books = books.entries
    if (baselines.entries) change.baselines = baselines.entries
    if (created.entries) change.created = created.entries
    const keys = { books: books.keys, baselines: baselines.keys, created: created.keys }
    const before = this.saved
    this.saved = savedOf(state)
    if (Object.keys(change).length === 0) return { change: undefined, keys }
    this.unsaved = before
    return { change, keys }
  }

  private giveBack(change: StateChange, keys: ChangedKeys): void {
    const before = this.unsaved!
    if (change.epoch !== undefined) this.saved.epoch = before.epoch
    if (change.appliedSeq !== undefined) this.saved.appliedSeq = before.appliedSeq
    if (change.ackedSeq !== undefined) this.saved.ackedSeq = before.ackedSeq
    // takeChange made every map a tracked one.
    const { books, baselines, created } = this.state as unknown as Record<string, TrackedMap<unknown>>
    books!.remark(keys.books)
    baselines!.remark(keys.baselines)
    created!.remark(keys.created)
  }

  private logPath(gen: number): string {
    return join(this.dir, logName(gen))
  }
}

function savedOf(state: AgentState): Saved {
  const { epoch, appliedSeq, ackedSeq, books, baselines, created } = state
  return { epoch, appliedSeq, ackedSeq, books, baselines, created }
}

/** A copy the compaction can serialise while the agent goes on (values are replaced, never changed). */
function snapshotOf(state: AgentState): AgentState {
  return {
    epoch: state.epoch,
    appliedSeq: state.appliedSeq,
    ackedSeq: state.ackedSeq,
    books: new Map(state.books),
    baselines: new Map(state.baselines),
    created: new Map(state.created),
  }
}

function logName(gen: number): string {
  return `state.${gen}.log`
}

async function logGens(dir: string): Promise<number[]> {
  const names = await readdir(dir)
  return names
    .map((name) => LOG_NAME.exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
}

/** Deletes logs; durably (the directory synced) unless a stale one coming back is harmless. */
async function removeLogs(dir: string, gens: readonly number[], durably = true): Promise<void> {
  for (const gen of gens) await rm(join(dir, logName(gen)), { force: true })
  if (durably && gens.length > 0) await syncDir(dir)
}
