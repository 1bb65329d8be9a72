/** The hourly check behind `store.near_full`: the free space of the file system the data directory is on. */
import { statfs } from 'node:fs/promises'
import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import type { Store } from '../store/store.js'
import { type DiskSpace, decideStoreNearFull, isNearFull } from './operator-events.js'

const SPACE_CHECK_MS = 3600_000

/** The free space of the file system holding `dir`. */
export async function diskSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir)
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }
}

/** Checks the data directory hourly (and once at the start); returns the stop function. */
export function watchStoreSpace(
  o: { store: Store; env: DomainEnv; logger: Logger; dataDir: string },
  measure: (dir: string) => Promise<DiskSpace> = diskSpace,
): () => void {
  const check = async () => {
    try {
      const space = await measure(o.dataDir)
      if (!isNearFull(space)) return
      await o.store.transact((tx) => decideStoreNearFull(tx, o.env, space))
    } catch (err) {
      o.logger.warn({ err, component: 'notify' }, 'store free space check failed')
    }
  }
  void check()
  const timer = setInterval(() => void check(), SPACE_CHECK_MS)
  timer.unref()
  return () => clearInterval(timer)
}
