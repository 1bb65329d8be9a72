/** `capd backup`: a consistent copy of the store in one checksummed file, while the controller runs. */
import { writeFileAtomic } from '@capd/durable'
import { takeBackup } from '../store/backup.js'
import type { BackupHeader } from '../store/backup-file.js'
import { StoreFormatError } from '../store/data.js'
import { DatabaseUnreachableError } from '../store/postgres/open-pg-store.js'
import { takePgBackup } from '../store/postgres/pg-backup.js'
import { CAPD_VERSION } from '../version.js'
import { parseCommandArgs } from './command-args.js'

const USAGE = `Usage: capd backup [--data DIR] [--out FILE]
       capd backup --db postgres://… [--out FILE]

Copies the store in DIR (default ./data) into one file, consistently, while the controller runs:
no downtime, no lock taken, nothing in DIR changed. Works as well on a stopped controller.
With --db, copies a PostgreSQL store the same way, from one snapshot of the database, into the
same kind of file (capd restore reads either).

  --data DIR   the controller's data directory (default ./data)
  --db URL     the controller's PostgreSQL database (or env CAPD_DATABASE_URL, when no --data)
  --out FILE   where to write the backup (default ./capd-<UTC time>.backup); - writes it to
               stdout. The file is written whole or not at all (temp file, fsync, rename).
  -h, --help   this text

Check a backup with: capd restore FILE --check`

export async function backupCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    data: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  const problem = !args.ok
    ? args.error
    : args.positionals.length > 0
      ? `unexpected argument ${args.positionals[0]}`
      : args.values.data !== undefined && args.values.db !== undefined
        ? 'give --data DIR or --db URL, not both'
        : undefined
  if (problem || !args.ok) {
    console.error(`capd backup: ${problem}\n\n${USAGE}`)
    return 2
  }
  if (args.values.help) {
    console.log(USAGE)
    return 0
  }
  const db =
    (args.values.db as string | undefined) ??
    (args.values.data === undefined ? process.env.CAPD_DATABASE_URL || undefined : undefined)
  const dataDir = (args.values.data as string | undefined) ?? './data'
  const createdAt = new Date()
  const out = (args.values.out as string | undefined) ?? `capd-${stamp(createdAt)}.backup`
  let backup: { text: string; header: BackupHeader }
  try {
    const meta = { capdVersion: CAPD_VERSION, now: () => createdAt }
    backup = db === undefined ? await takeBackup(dataDir, meta) : await takePgBackup(db, meta)
  } catch (err) {
    console.error(`capd backup: ${(err as Error).message}`)
    // Not a store (or one this capd cannot read) is the operator's to fix; anything else is trouble.
    return err instanceof StoreFormatError || err instanceof DatabaseUnreachableError ? 2 : 1
  }
  if (out === '-') {
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(backup.text, (err) => (err ? reject(err) : resolve())),
    )
  } else {
    try {
      await writeFileAtomic(out, backup.text)
    } catch (err) {
      console.error(`capd backup: cannot write ${out}: ${(err as Error).message}`)
      return 1
    }
  }
  console.error(
    `capd backup: ${out === '-' ? 'wrote to stdout' : `wrote ${out}`}: ${summarise(backup.header)}`,
  )
  return 0
}

/** One line saying what a backup holds. */
export function summarise(header: BackupHeader): string {
  const { counts } = header
  return (
    // A PostgreSQL store has no log version: its backups say 0.
    `store version ${header.storeVersion}${header.committedVersion ? ` at committed version ${header.committedVersion}` : ''}, ` +
    `taken ${header.createdAt} by capd ${header.capdVersion}; ` +
    `${counts.subscribers ?? 0} subscribers, ${counts.topUps ?? 0} top-ups, ${counts.invoices ?? 0} invoices, ` +
    `${counts.agents ?? 0} agents${header.currency ? `, money in ${header.currency}` : ''}`
  )
}

/** 20261201T095400Z: sorts by time and needs no quoting in a shell. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')
}
