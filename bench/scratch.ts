/** Scratch data dirs for benchmark stores: removed when done with, and on the way out of an interrupted run. */
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'

const live = new Set<string>()

process.once('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true })
})

export async function withScratchDir<T>(tmpRoot: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpRoot, 'capd-bench-'))
  live.add(dir)
  try {
    return await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
    live.delete(dir)
  }
}
