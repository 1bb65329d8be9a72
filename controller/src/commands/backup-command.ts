/** `capd backup`: a consistent copy of the store in one checksummed file, while the controller runs. */
import { writeFileAtomic } from '@capd/durable'
import { takeBackup } from '../store/backup.js'
import type { BackupHeader } from '../store/backup-file.js'
import { StoreFormatError } from '../store/data.js'
import { CAPD_VERSION } from '../version.js'
import { parseCommandArgs } from './command-args.js'

const USAGE = `Usage: capd backup [--data DIR] [--out FILE]

Copies the store in DIR (default ./data) into one file, consistently, while the controller runs:
no downtime, no lock taken, nothing in DIR changed. Works as well on a stopped controller.

  --data DIR   the controller's data directory (default ./data)
  --out FILE   where to write the backup (default ./capd-<UTC time>.backup); - writes it to
               stdout. The file is written whole or not at all (temp file, fsync, rename).
  -h, --help   this text

Check a backup with: capd restore FILE --check`

export async function backupCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (!args.ok || args.positionals.length > 0) {
    console.error(
      `capd backup: ${args.ok ? `unexpected argument ${args.positionals[0]}` : args.error}\n\n${USAGE}`,
    )
    return 2
  }
  if (args.values.help) {
    console.log(USAGE)
    return 0
  }
  const dataDir = (args.values.data as string | undefined) ?? './data'
  const createdAt = new Date()
  const out = (args.values.out as string | undefined) ?? `capd-${stamp(createdAt)}.backup`
  let backup: Awaited<ReturnType<typeof takeBackup>>
  try {
    backup = await takeBackup(dataDir, { capdVersion: CAPD_VERSION, now: () => createdAt })
  } catch (err) {
    console.error(`capd backup: ${(err as Error).message}`)
    // Not a store (or one this capd cannot read) is the operator's to fix; anything else is trouble.
    return err instanceof StoreFormatError ? 2 : 1
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
    `store version ${header.storeVersion} at committed version ${header.committedVersion}, ` +
    `taken ${header.createdAt} by capd ${header.capdVersion}; ` +
    `${counts.subscribers ?? 0} subscribers, ${counts.topUps ?? 0} top-ups, ${counts.invoices ?? 0} invoices, ` +
    `${counts.agents ?? 0} agents${header.currency ? `, money in ${header.currency}` : ''}`
  )
}

/** 20261201T095400Z: sorts by time and needs no quoting in a shell. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')
}
