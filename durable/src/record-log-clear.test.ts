import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

/** Every fsync of a file, with the file's size when it was made. */
const syncs: { path: string; size: number }[] = []

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>()
  const open: typeof fs.open = async (path, ...rest) => {
    const handle = await fs.open(path, ...rest)
    const sync = handle.sync.bind(handle)
    handle.sync = async () => {
      await sync()
      syncs.push({ path: String(path), size: (await handle.stat()).size })
    }
    return handle
  }
  return { ...fs, open, default: { ...fs, open } }
})

const { RecordLog } = await import('./record-log.js')

describe('emptying a log', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capd-record-log-'))
    syncs.length = 0
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  // A caller clears a log and then records that it did (the agent starts a new epoch in its state
  // file): if the emptied file were not synced, a crash could bring the old records back under the
  // new state, to be replayed and sent again.
  it('is durable before clear() resolves: the empty file is fsynced', async () => {
    const path = join(dir, 'journal.log')
    const { log } = await RecordLog.open(path, 'test log', () => {})
    await log.append(['{"a":1}', '{"b":2}'])
    expect(syncs.filter((s) => s.path === path && s.size > 0)).not.toHaveLength(0)
    syncs.length = 0
    await log.clear()
    expect(syncs.filter((s) => s.path === path && s.size === 0)).not.toHaveLength(0)
    expect(log.size).toBe(0)
  })

  it('clears a log whose file does not exist yet', async () => {
    const path = join(dir, 'never-written.log')
    const { log } = await RecordLog.open(path, 'test log', () => {})
    await log.clear()
    expect(log.size).toBe(0)
  })
})
