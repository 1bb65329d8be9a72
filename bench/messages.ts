/** What the benchmark parent and its children say to each other over IPC. */

export type ServerKind = 'capd' | 'bare'

export type ServerCommand =
  | { type: 'open'; kind: ServerKind; subscribers: number; dataDir: string }
  | { type: 'start' }
  | { type: 'stop' }

export interface ServerWindowStats {
  /** Event-loop delay beyond the 10 ms sampling interval. */
  eventLoopDelayP99Ms: number
  eventLoopDelayMaxMs: number
  /** Write-ahead log appends (group commits) in the window, and the transactions they logged. */
  appends: number
  appendedTransactions: number
  /** Mean append time: open + write + fsync + close. */
  meanAppendMs: number
  /** Snapshots of the whole document in the window (the log outgrew the last one). */
  snapshots: number
}

export type ServerReply =
  | { type: 'ready'; port: number; token: string; subscriberIds: string[]; seedMs: number }
  | { type: 'started' }
  | { type: 'stopped'; stats: ServerWindowStats }
  | { type: 'failed'; message: string }

export interface WriteCostCommand {
  type: 'measure'
  subscribers: number
  dataDir: string
  /** Top-up transactions to time, one at a time. */
  writes: number
  /** Snapshots to time (each a close and, but the last, a reopen). */
  snapshots: number
}

/** Medians over the timed transactions and snapshots. */
export interface WriteCostRow {
  subscribers: number
  documentBytes: number
  /** One top-up: the whole store.transact() until durable, and the log append it made. */
  transactMs: number
  walBytes: number
  appendMs: number
  /** open('a') + write + fsync + close of walBytes to a sibling file. */
  bareAppendMs: number
  /** One snapshot: serialised in slices between turns of the event loop while it is written. */
  snapshotMs: number
  /** open('w') + write + fsync + close of documentBytes to a sibling file. */
  bareWriteMs: number
}

export type WriteCostReply = { type: 'measured'; row: WriteCostRow } | { type: 'failed'; message: string }

export interface SnapshotStallCommand {
  type: 'measure'
  subscribers: number
  dataDir: string
}

/** What a steady load saw over one window: event-loop delay, and peeks and commits timed from when due. */
export interface StallWindow {
  ms: number
  loopP99Ms: number
  loopMaxMs: number
  peekP99Ms: number
  peekMaxMs: number
  commitP99Ms: number
  commitMaxMs: number
  commits: number
}

export interface SnapshotStallRow {
  subscribers: number
  documentBytes: number
  /** JSON.stringify of the whole document, and a structuredClone of it (what handing it to a worker costs). */
  stringifyMs: number
  cloneMs: number
  baseline: StallWindow
  synchronous: StallWindow
  background: StallWindow
}

export type SnapshotStallReply =
  | { type: 'measured'; row: SnapshotStallRow }
  | { type: 'failed'; message: string }
