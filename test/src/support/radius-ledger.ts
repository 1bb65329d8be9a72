/** What an agent's RADIUS ledger holds on disk, read as an end-to-end test may: without opening it. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Whether the ledger in `stateDir` has a counter for the subscriber: in the whole file, or only in
 * its log until a compaction writes it to the file.
 */
export async function ledgerHasCounter(stateDir: string, subscriberId: string): Promise<boolean> {
  const texts = ['radius-ledger.json', 'radius-ledger.log'].map((name) =>
    readFile(join(stateDir, name), 'utf8').catch(() => ''),
  )
  return (await Promise.all(texts)).some((text) => text.includes(`"${subscriberId}":{"id"`))
}
