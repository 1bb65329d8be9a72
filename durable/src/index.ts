/** Durable files shared by the agent and the controller: checksummed append-only logs, atomic replace. */
export { fsyncDirectory, writeFileAtomic } from './fsync.js'
export { RecordBuffer } from './record-buffer.js'
export { type BadRecord, frameRecord, type ParsedLog, parseRecords } from './record-frame.js'
export { LogCorruptError, type LogLine, type OpenedLog, RecordLog } from './record-log.js'
