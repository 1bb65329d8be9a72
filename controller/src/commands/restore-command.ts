/** `capd restore`: check a backup file, and make a data directory from it. */
import { readFile, stat } from 'node:fs/promises'
import { BackupRefused, decodeBackup } from '../store/backup-file.js'
import { DATA_VERSION } from '../store/data.js'
import { DataDirOwnerError } from '../store/data-dir-owner.js'
import { shellQuote } from '../store/durable-json-file.js'
import { DataDirLockedError } from '../store/lock-file.js'
import { RestoreRefused, restoreBackup } from '../store/restore.js'
import { summarise } from './backup-command.js'
import { parseCommandArgs } from './command-args.js'

const USAGE = `Usage: capd restore FILE --data DIR [--force]
       capd restore FILE --check

Checks the backup FILE (its SHA-256, its header, every table of the store it holds) and writes
a data directory from it. A damaged or foreign file is refused and nothing is written.

  --data DIR   the data directory to create; it must be empty or absent, and no controller may
               be running on it. Run as its owner (sudo -u capd …): root may restore only into
               a directory of its own
  --force      restore into a directory that is not empty: its store files (capd.json,
               capd.json.prev, capd.wal) are moved into DIR/before-restore-<UTC time>/
  --check      only check FILE and print what it holds
  -h, --help   this text`

export async function restoreCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    data: { type: 'string' },
    force: { type: 'boolean' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (args.ok && args.values.help) {
    console.log(USAGE)
    return 0
  }
  const problem = !args.ok
    ? args.error
    : args.positionals.length !== 1
      ? 'give exactly one backup FILE'
      : !args.values.check && args.values.data === undefined
        ? 'give --data DIR (or --check)'
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
    if (err instanceof BackupRefused || err instanceof RestoreRefused || err instanceof DataDirLockedError) {
      console.error(`capd restore: ${err.message.replace(/\.$/, '')}. Nothing was written.`)
      return 2
    }
    console.error(`capd restore: ${(err as Error).message}`)
    return 1
  }
}
