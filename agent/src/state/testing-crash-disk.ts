/**
 * A file system that a test can kill (for node:fs/promises, through vi.mock): the process dies at
 * the `at`-th change it makes to the disk (counting file creations, writes, fsyncs, truncations,
 * renames and deletions, capd's and @capd/durable's alike). That change is left half done (a write
 * as a prefix of its bytes, perhaps followed by NUL fill; a rename, deletion or truncation done or
 * not), and every later one fails without touching the disk. Or, with `failRate`, changes fail now
 * and then the same way (a full disk) and the process goes on. Renames are slow (a busy disk), so
 * what runs beside them overtakes them.
 */
type Fs = typeof import('node:fs/promises')

export const disk = { ops: 0, at: Number.POSITIVE_INFINITY, dead: false, failRate: 0, rnd: Math.random }

export class Crash extends Error {}
export class DiskFull extends Error {
  readonly code = 'ENOSPC'
}

export const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** A fresh disk: nothing dead, nothing failing; `rnd` decides how changes are left half done. */
export function resetDisk(rnd: () => number): void {
  Object.assign(disk, { ops: 0, at: Number.POSITIVE_INFINITY, dead: false, failRate: 0, rnd })
}

/** The error to leave this change half done with (then throw), or undefined to do it. */
function change(): Error | undefined {
  if (disk.dead) throw new Crash('the process is dead')
  disk.ops++
  if (disk.failRate > 0 && disk.rnd() < disk.failRate) return new DiskFull('no space left on device')
  if (disk.ops !== disk.at) return undefined
  disk.dead = true
  return new Crash('killed')
}

export function crashingFs(fs: Fs): Fs {
  const halfDone = async (err: Error, effect: () => Promise<unknown>) => {
    if (disk.rnd() < 0.5) await effect()
    throw err
  }
  const open: typeof fs.open = async (path, flags, mode) => {
    const writes = typeof flags === 'string' && /[wa+]/.test(flags)
    const err = writes ? change() : undefined
    if (err) await halfDone(err, () => fs.open(path, flags, mode).then((h) => h.close()))
    const handle = await fs.open(path, flags, mode)
    const writeFile = handle.writeFile.bind(handle)
    handle.writeFile = async (data: string | Uint8Array) => {
      const err = change()
      if (!err) return writeFile(data)
      const bytes = Buffer.from(data)
      const written = Math.floor(disk.rnd() * bytes.length)
      const filled = written + Math.floor(disk.rnd() * (bytes.length - written + 1))
      await writeFile(Buffer.concat([bytes.subarray(0, written), Buffer.alloc(filled - written)]))
      throw err
    }
    // What a kill leaves is what was written, synced or not: the fsync itself changes nothing here.
    handle.sync = async () => {
      const err = change()
      if (err) throw err
    }
    const truncate = handle.truncate.bind(handle)
    handle.truncate = async (len?: number) => {
      const err = change()
      if (err) await halfDone(err, () => truncate(len))
      return truncate(len)
    }
    return handle
  }
  const rename: typeof fs.rename = async (from, to) => {
    // A slow rename: saves into the next log overtake the compaction, as on a busy disk.
    for (let turns = Math.floor(disk.rnd() * 12); turns > 0; turns--) await nextTurn()
    const err = change()
    if (err) await halfDone(err, () => fs.rename(from, to))
    return fs.rename(from, to)
  }
  const rm: typeof fs.rm = async (path, options) => {
    const err = change()
    if (err) await halfDone(err, () => fs.rm(path, options))
    return fs.rm(path, options)
  }
  const truncate: typeof fs.truncate = async (path, len) => {
    const err = change()
    if (err) await halfDone(err, () => fs.truncate(path, len))
    return fs.truncate(path, len)
  }
  const mocked = { ...fs, open, rename, rm, truncate }
  return { ...mocked, default: mocked } as Fs
}
