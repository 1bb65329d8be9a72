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
  /** Store transactions and durable writes in the window (0 for the bare app). */
  transactions: number
  writes: number
  /** Size of the first and last document written: the document grows with every top-up. */
  firstWriteBytes: number
  lastWriteBytes: number
  /** Mean write time: tmp write + fsync + link + rename + dir fsync. */
  meanWriteIoMs: number
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
  writes: number
}

export interface WriteCostRow {
  subscribers: number
  documentBytes: number
  /** Medians over the timed writes. */
  transactMs: number
  stringifyMs: number
  encodeMs: number
  ioMs: number
  bareWriteMs: number
}

export type WriteCostReply = { type: 'measured'; row: WriteCostRow } | { type: 'failed'; message: string }
