import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { acquireDataDirLock } from './lock-file.js'

const run = promisify(execFile)
const mustRun = process.env.CI === 'true'

/** A real full disk: a 64 KiB tmpfs, filled. Needs root to mount. */
async function fullDisk(): Promise<{ dir: string; unmount: () => Promise<void> } | string> {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs'
  const dir = await mkdtemp(join(tmpdir(), 'capd-full-'))
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir])
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    return `cannot mount a tmpfs: ${(error as Error).message}`
  }
  const unmount = async () => {
    await run('umount', [dir])
    await rm(dir, { recursive: true, force: true })
  }
  await writeFile(join(dir, 'filler'), Buffer.alloc(1024 * 1024)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOSPC') throw error
  })
  return { dir, unmount }
}

describe('data dir lock on a full disk', () => {
  it('fails with the disk error and leaves no draft lock file behind', async () => {
    const disk = await fullDisk()
    if (typeof disk === 'string') {
      if (mustRun) throw new Error(`CI=true, so this must run, but it ${disk}`)
      console.warn(`skipped: ${disk}`)
      return
    }
    try {
      await expect(acquireDataDirLock(disk.dir)).rejects.toThrow(/ENOSPC/)
      expect((await readdir(disk.dir)).filter((name) => name !== 'filler')).toEqual([])
    } finally {
      await disk.unmount()
    }
  })
})
