/** `capd migrate`: upgrade a stopped data directory to this release's store format. */

import { DATA_VERSION, StoreFormatError } from '../store/data.js'
import { DataDirOwnerError } from '../store/data-dir-owner.js'
import { shellQuote } from '../store/durable-json-file.js'
import { DataDirLockedError } from '../store/lock-file.js'
import { migrateDataDir } from '../store/migrate-data-dir.js'
import { connectPool, DatabaseUnreachableError, redactUrl } from '../store/postgres/open-pg-store.js'
import { migrateSchema, SCHEMA_VERSION } from '../store/postgres/schema-migrations.js'
import { CAPD_VERSION } from '../version.js'
import { parseCommandArgs } from './command-args.js'

const USAGE = `Usage: capd migrate --data DIR
       capd migrate --db postgres://…

Upgrades the store in DIR to store version ${DATA_VERSION} (this release's), one version at a time.
The controller must be stopped. Run it as the data directory's owner (sudo -u capd …). The files as they were are kept beside the new ones
(capd.json.v<old version>, capd.wal.v<old version>). A store already at version ${DATA_VERSION} is
left alone; a store newer than this release is refused (capd never downgrades a store).

With --db, applies the PostgreSQL schema migrations the database lacks, one transaction each
(controllers apply them too when they start; two at once wait for each other). A database
migrated by a later capd is refused.

  --data DIR   the controller's data directory
  --db URL     the controller's PostgreSQL database (or env CAPD_DATABASE_URL)
  -h, --help   this text`

export async function migrateCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    data: { type: 'string' },
    db: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (args.ok && args.values.help) {
    console.log(USAGE)
    return 0
  }
  const db = args.ok
    ? ((args.values.db as string | undefined) ?? (process.env.CAPD_DATABASE_URL || undefined))
    : undefined
  if (args.ok && args.positionals.length === 0 && args.values.data === undefined && db !== undefined)
    return migrateDatabase(db)
  if (
    !args.ok ||
    args.positionals.length > 0 ||
    args.values.data === undefined ||
    args.values.db !== undefined
  ) {
    const problem = !args.ok
      ? args.error
      : args.positionals.length > 0
        ? `unexpected argument ${args.positionals[0]}`
        : args.values.data === undefined
          ? 'give --data DIR or --db URL'
          : 'give --data DIR or --db URL, not both'
    console.error(`capd migrate: ${problem}\n\n${USAGE}`)
    return 2
  }
  const dataDir = args.values.data as string
  try {
    const outcome = await migrateDataDir(dataDir, { atMs: Date.now(), capdVersion: CAPD_VERSION })
    if (outcome.kind === 'current') {
      console.log(`capd migrate: ${dataDir} is already at store version ${outcome.version}; nothing to do`)
      return 0
    }
    for (const step of outcome.applied)
      console.log(`capd migrate: version ${step.from} → ${step.to}: ${step.summary}`)
    console.log(
      `capd migrate: ${dataDir} upgraded from store version ${outcome.from} to ${outcome.to}; the old files are kept as ${outcome.keptAs.join(', ')}`,
    )
    return 0
  } catch (err) {
    if (err instanceof DataDirOwnerError) {
      console.error(`capd migrate: ${err.withCommand(`capd migrate ${argv.map(shellQuote).join(' ')}`)}`)
      return 2
    }
    console.error(`capd migrate: ${(err as Error).message}`)
    return err instanceof DataDirLockedError || err instanceof StoreFormatError ? 2 : 1
  }
}

async function migrateDatabase(url: string): Promise<number> {
  let pool: Awaited<ReturnType<typeof connectPool>> | undefined
  try {
    pool = await connectPool(url, 1)
    const applied = await migrateSchema(pool)
    console.log(
      applied.length === 0
        ? `capd migrate: ${redactUrl(url)} is already at schema version ${SCHEMA_VERSION}; nothing to do`
        : `capd migrate: ${redactUrl(url)} migrated to schema version ${SCHEMA_VERSION} (applied ${applied.join(', ')})`,
    )
    return 0
  } catch (err) {
    console.error(`capd migrate: ${(err as Error).message}`)
    return err instanceof DatabaseUnreachableError || err instanceof StoreFormatError ? 2 : 1
  } finally {
    await pool?.end()
  }
}
