/** `capd restore`: check a backup file, and make a data directory from it. */
import { readFile, stat } from 'node:fs/promises'
import { BackupRefused, decodeBackup } from '../store/backup-file.js'
import { DATA_VERSION, StoreFormatError } from '../store/data.js'
import { DataDirOwnerError } from '../store/data-dir-owner.js'
import { shellQuote } from '../store/durable-json-file.js'
import { DataDirLockedError } from '../store/lock-file.js'
import { DatabaseUnreachableError, redactUrl } from '../store/postgres/open-pg-store.js'
import { restorePgBackup } from '../store/postgres/pg-backup.js'
import { RestoreRefused, restoreBackup } from '../store/restore.js'
import { CAPD_VERSION } from '../version.js'
import { summarise } from './backup-command.js'
import { parseCommandArgs } from './command-args.js'

const USAGE = `Usage: capd restore FILE --data DIR [--force]
       capd restore FILE --db postgres://…
       capd restore FILE --check

Checks the backup FILE (its SHA-256, its header, every table of the store it holds) and writes
a data directory from it. A damaged or foreign file is refused and nothing is written.

  --data DIR   the data directory to create; it must be empty or absent, and no controller may
               be running on it. Run as its owner (sudo -u capd …): root may restore only into
               a directory of its own
  --force      restore into a directory that is not empty: its store files (capd.json,
               capd.json.prev, capd.wal) are moved into DIR/before-restore-<UTC time>/
  --db URL     load FILE (a backup of a data dir or of a database) into the PostgreSQL database
               at URL (or env CAPD_DATABASE_URL, when no --data), which must be empty: the schema
               is created, an older store's document is upgraded first (as capd migrate does),
               and every row goes in in one transaction, or none does
  --check      only check FILE and print what it holds
  -h, --help   this text`

export async function restoreCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    data: { type: 'string' },
    db: { type: 'string' },
    force: { type: 'boolean' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (args.ok && args.values.help) {
    console.log(USAGE)
    return 0
  }
  const db = args.ok
    ? ((args.values.db as string | undefined) ??
      (args.values.data === undefined ? process.env.CAPD_DATABASE_URL || undefined : undefined))
    : undefined
  const problem = !args.ok
    ? args.error
    : args.positionals.length !== 1
      ? 'give exactly one backup FILE'
      : args.values.data !== undefined && args.values.db !== undefined
        ? 'give --data DIR or --db URL, not both'
        : !args.values.check && args.values.data === undefined && db === undefined
          ? 'give --data DIR, --db URL (or --check)'
          : db !== undefined && args.values.force
            ? '--force is for --data only: a database is restored only when empty'
            : undefined
  if (problem || !args.ok) {
    console.error(`capd restore: ${problem}\n\n${USAGE}`)
    return 2
  }
  const file = args.positionals[0]!
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    console.error(`capd restore: cannot read ${file}: ${(err as Error).message}`)
    return 2
  }
  try {
    if (args.values.check) {
      const { header } = decodeBackup(bytes, file)
      console.log(`capd restore: ${file} is a whole capd backup: ${summarise(header)}`)
      console.log(`rows per table: ${JSON.stringify(header.counts)}`)
      return 0
    }
    if (db !== undefined) {
      const restored = await restorePgBackup(bytes, file, db, { capdVersion: CAPD_VERSION })
      for (const step of restored.migrated)
        console.log(`capd restore: upgraded the store from version ${step.from} to ${step.to} first`)
      console.log(`capd restore: restored ${redactUrl(db)} from ${file}: ${summarise(restored.header)}`)
      return 0
    }
    const dataDir = args.values.data as string
    const restored = await restoreBackup(bytes, file, dataDir, { force: args.values.force === true })
    if (restored.movedAsideTo)
      console.log(`capd restore: moved the store that was there to ${restored.movedAsideTo}`)
    console.log(`capd restore: restored ${dataDir} from ${file}: ${summarise(restored.header)}`)
    if (process.getuid?.() === 0 && (await stat(dataDir)).uid === 0) {
      console.log(
        `capd restore: ${dataDir} and its files belong to root; a controller running as another user ` +
          `(the capd-controller service runs as capd) needs them first: chown -R capd:capd ${shellQuote(dataDir)}`,
      )
    }
    if (restored.header.storeVersion < DATA_VERSION) {
      console.log(
        `capd restore: the store is version ${restored.header.storeVersion}; run \`capd migrate --data ${dataDir}\` ` +
          `before starting this capd (store version ${DATA_VERSION}) on it`,
      )
    }
    return 0
  } catch (err) {
    if (err instanceof DataDirOwnerError) {
      console.error(`capd restore: ${err.withCommand(`capd restore ${argv.map(shellQuote).join(' ')}`)}`)
      return 2
    }
    if (
      err instanceof BackupRefused ||
      err instanceof RestoreRefused ||
      err instanceof DataDirLockedError ||
      err instanceof DatabaseUnreachableError ||
      err instanceof StoreFormatError
    ) {
      console.error(`capd restore: ${err.message.replace(/\.$/, '')}. Nothing was written.`)
      return 2
    }
    console.error(`capd restore: ${(err as Error).message}`)
    return 1
  }
}
