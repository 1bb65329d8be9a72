/** fsync helpers: a new, renamed or truncated file is durable only once its directory is synced too. */
import { open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Replaces a file so that a crash leaves either the old or the new content: temp, fsync, rename, fsync dir. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`
  const file = await open(tmp, 'w', 0o600)
  try {
    await file.writeFile(content)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(tmp, path)
  await fsyncDirectory(dirname(path))
}
