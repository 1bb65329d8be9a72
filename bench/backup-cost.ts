/**
 * `capd backup` and `capd restore --check` at N subscribers, against a plain copy of the same data
 * dir's files (read + write + fsync, what `cp` plus a sync costs) measured in the same run. Run
 * alone: `pnpm tsx bench/backup-cost.ts` (BENCH_SUBSCRIBERS=1000,10000 for other sizes).
 */
import { copyFile, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { takeBackup } from '../controller/src/store/backup.js'
import { decodeBackup } from '../controller/src/store/backup-file.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import { writeFileAtomic } from '../durable/src/fsync.js'
import { readConfig } from './config.js'
import { withScratchDir } from './scratch.js'
import { seedSubscribers } from './seed.js'
import { median } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const ROUNDS = 5

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

async function plainCopy(dataDir: string, outDir: string): Promise<void> {
  for (const name of ['capd.json', 'capd.wal']) {
    const to = join(outDir, `copy-${name}`)
    const copied = await copyFile(join(dataDir, name), to).then(
      () => true,
      () => false,
    )
    if (!copied) continue
    const handle = await open(to, 'r')
    await handle.sync()
    await handle.close()
  }
}

export async function backupCost(subscriberCounts: readonly number[], tmpRoot: string): Promise<void> {
  console.log(
    `\n## Backup cost (medians of ${ROUNDS}; the store stays open, as beside a running controller)\n`,
  )
  const rows: string[][] = []
  for (const n of subscriberCounts) {
    await withScratchDir(tmpRoot, async (dir) => {
      const dataDir = join(dir, 'data')
      // Seeded, then closed (a snapshot) and reopened: a running store with its log empty.
      const seeding = await openLowdbStore(dataDir, () => {})
      await seedSubscribers(seeding, n, Date.now())
      await seeding.close()
      const store = await openLowdbStore(dataDir, () => {})
      const copyMs: number[] = []
      const backupMs: number[] = []
      const checkMs: number[] = []
      let bytes = 0
      for (let round = 0; round < ROUNDS; round++) {
        copyMs.push(await timed(() => plainCopy(dataDir, dir)))
        const out = join(dir, 'b.backup')
        backupMs.push(
          await timed(async () => {
            const backup = await takeBackup(dataDir, { capdVersion: 'bench' })
            await writeFileAtomic(out, backup.text)
          }),
        )
        const file = await readFile(out)
        bytes = file.length
        checkMs.push(await timed(async () => decodeBackup(await readFile(out), out)))
      }
      await store.close()
      const copy = median(copyMs)
      rows.push([
        n.toLocaleString('en-US'),
        formatNumber(bytes / 1e6),
        formatNumber(copy, 1),
        formatNumber(median(backupMs), 1),
        ratio(median(backupMs), copy),
        formatNumber(median(checkMs), 1),
        ratio(median(checkMs), copy),
      ])
    })
  }
  printTable(
    [
      'subscribers',
      'backup MB',
      'plain copy ms',
      'capd backup ms',
      'backup vs copy',
      'check ms',
      'check vs copy',
    ],
    rows,
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = readConfig()
  await backupCost(config.subscriberCounts, config.tmpRoot)
}
