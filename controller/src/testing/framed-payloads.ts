import { parseRecords } from '@capd/durable'

/** The payloads of whole framed log records (what Persistence.append is given); throws on a bad one. */
export function framedPayloads(framed: Uint8Array): string[] {
  const { records, bad } = parseRecords(Buffer.from(framed))
  if (bad) throw new Error(`a bad record at byte ${bad.offset}: ${bad.reason}`)
  return records.map((record) => record.payload)
}
